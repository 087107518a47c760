"""asst serve as users run it: the SQLite store in the data dir, background workers and a model
behind every run (the fake model on loopback), driven by openai-python, unpatched; then killed
with SIGKILL and started again on the same data dir."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import OpenAI
from openai.types.beta.threads.runs import CodeInterpreterToolCall

from asst_engine.testing.fake_model import FakeModel

from harness import Runner
from sdk_flows import REPLY_SEEN, TOOL_CALL_SEEN, streamed_tool_round
from serving import Served, scrubbed_env, serve

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
RESTARTED = "The server restarted while the run was in progress."
WAIT_SECONDS = 15.0  # a real server and model: how long a run may take to reach a state


@pytest.fixture(scope="module")
def model() -> Iterator[FakeModel]:
    with FakeModel() as fake:
        yield fake


@pytest.fixture(scope="module")
def served(model: FakeModel, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with serve(tmp_path_factory.mktemp("data"), model=model.url) as running:
        yield running


def sdk(url: str) -> OpenAI:
    return OpenAI(base_url=f"{url}/v1", api_key="sk-test", max_retries=0)


def test_create_and_poll_gets_the_models_reply(served: Served) -> None:
    with sdk(served.url) as client:
        assistant = client.beta.assistants.create(model="fake-model", instructions="Be brief.")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "hello"}])
        run = client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=20
        )
        messages = client.beta.threads.messages.list(thread.id, order="asc")
    assert (run.status, run.last_error) == ("completed", None)
    texts = [(m.role, m.content[0].text.value) for m in messages if m.content[0].type == "text"]
    assert texts == [("user", "hello"), ("assistant", "You said: hello")]


def test_a_streamed_tool_call_round_completes_through_the_model(served: Served) -> None:
    with sdk(served.url) as client:
        assert streamed_tool_round(client) == (TOOL_CALL_SEEN, REPLY_SEEN, "completed")


def wait_for_status(client: OpenAI, thread_id: str, run_id: str, status: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while client.beta.threads.runs.retrieve(run_id, thread_id=thread_id).status != status:
        assert time.monotonic() < deadline, f"the run never became {status}"
        time.sleep(0.02)  # a real server's worker thread: no clock to inject across processes


def test_kill_9_keeps_objects_and_ends_the_run_in_progress(
    model: FakeModel, tmp_path: Path, cli: Runner
) -> None:
    with serve(tmp_path, model=model.url) as first, sdk(first.url) as client:
        assistant = client.beta.assistants.create(model="fake-model", name="keeper")
        data = client.files.create(file=("notes.txt", b"kept bytes"), purpose="assistants")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "please hang"}])
        run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
        wait_for_status(client, thread.id, run.id, "in_progress")
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(10)
    stale = json.loads((tmp_path / "server.json").read_text())
    assert stale["pid"] == first.process.pid  # what a kill -9 leaves behind
    assert cli("serve", "status", "--data-dir", str(tmp_path)).exit_code == 3

    with serve(tmp_path, model=model.url, env=scrubbed_env()) as second, sdk(second.url) as client:
        assert json.loads((tmp_path / "server.json").read_text())["pid"] == second.process.pid
        kept = client.beta.assistants.retrieve(assistant.id)
        content = client.files.content(data.id).read()
        ended = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
        messages = client.beta.threads.messages.list(thread.id, order="asc")
    assert (kept.name, content) == ("keeper", b"kept bytes")
    assert ended.status == "failed" and ended.last_error is not None
    assert (ended.last_error.code, ended.last_error.message) == ("server_error", RESTARTED)
    assert [(m.role, m.status) for m in messages] == [("user", "completed")]


def test_code_interpreter_runs_the_models_code_in_the_sandbox(
    served: Served, font_cache: Path
) -> None:
    with sdk(served.url) as client:
        assistant = client.beta.assistants.create(
            model="fake-model", tools=[{"type": "code_interpreter"}]
        )
        thread = client.beta.threads.create(
            messages=[{"role": "user", "content": "plot a sine wave"}]
        )
        run = client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=20
        )
        steps = client.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc")
    assert (run.status, run.last_error) == ("completed", None)
    assert [step.step_details.type for step in steps] == ["tool_calls", "message_creation"]
    (call,) = steps.data[0].step_details.tool_calls  # type: ignore[union-attr]
    assert isinstance(call, CodeInterpreterToolCall)
    assert [output.type for output in call.code_interpreter.outputs] == ["image"]
    # matplotlib's font list is the machine's: kept in the user's cache, not in the data dir.
    assert [path.name[:9] for path in font_cache.iterdir()] == ["fontlist-"]
    assert not (served.data_dir / "sandbox" / "matplotlib").exists()


def test_sigterm_with_a_run_hanging_on_the_model_stops_cleanly(
    model: FakeModel, tmp_path: Path
) -> None:
    with serve(tmp_path, model=model.url) as running, sdk(running.url) as client:
        assistant = client.beta.assistants.create(model="fake-model")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "please hang"}])
        run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
        wait_for_status(client, thread.id, run.id, "in_progress")
        assert running.stop() == 0  # within serving.STOP_TIMEOUT, else it is killed (-9)
    assert not (tmp_path / "server.json").exists()


def test_a_model_map_that_cannot_be_read_stops_the_start(cli: Runner, tmp_path: Path) -> None:
    bad = tmp_path / "map.yaml"
    bad.write_text("gpt-4o: [1\n")
    args = ("--model-map", str(bad), "--port", "0", "--idle-timeout", "5")
    result = cli("serve", *args, "--data-dir", str(tmp_path / "data"))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: Model map {bad}: not valid YAML or JSON (line 2): expected ',' or ']', "
        "but got '<stream end>'\n"
    )
    assert not (tmp_path / "data" / "server.json").exists()
