"""openai-python's streaming helpers against the worker and the model over a loopback server:
its tool-call and text callbacks fire as the model's pieces arrive."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from openai import AssistantEventHandler, OpenAI
from openai.types.beta.threads import Text, TextDelta
from openai.types.beta.threads.runs import ToolCall, ToolCallDelta
from typing_extensions import override

from asst_engine import serve
from conftest import WEATHER, Server

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


class Recorder(AssistantEventHandler):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    @override
    def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        self.seen.append(f"text_delta {delta.value!r}")

    @override
    def on_tool_call_created(self, tool_call: ToolCall) -> None:
        self.seen.append(f"tool_call_created {tool_call.type}")

    @override
    def on_tool_call_delta(self, delta: ToolCallDelta, snapshot: ToolCall) -> None:
        assert delta.type == "function" and delta.function is not None
        self.seen.append(f"tool_call_delta {delta.function.arguments!r}")

    @override
    def on_tool_call_done(self, tool_call: ToolCall) -> None:
        assert tool_call.type == "function"
        self.seen.append(f"tool_call_done {tool_call.function.name} {tool_call.function.arguments}")


@pytest.fixture
def client(server: Server) -> Iterator[OpenAI]:
    http = serve(engine=server.engine)
    try:
        with OpenAI(base_url=f"{http.url}/v1", api_key="sk-test", max_retries=0) as sdk:
            yield sdk
    finally:
        http.stop()


def test_tool_call_and_text_callbacks_fire_piece_by_piece(client: OpenAI) -> None:
    assistant = client.beta.assistants.create(model="fake-model", tools=[WEATHER])  # type: ignore[list-item]
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": 'call get_weather {"city": "Paris"}'}]
    )
    first = Recorder()
    with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant.id, event_handler=first
    ) as stream:
        stream.until_done()
    run = stream.get_final_run()
    assert run.status == "requires_action" and run.required_action is not None
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    after = Recorder()
    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=thread.id,
        run_id=run.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}],
        event_handler=after,
    ) as resumed:
        resumed.until_done()

    assert first.seen == [
        "tool_call_created function",
        "tool_call_delta '{\"city\":'",
        "tool_call_delta '\"Paris\"}'",
        'tool_call_done get_weather {"city":"Paris"}',
    ]
    assert after.seen == [
        "text_delta 'Tool'",
        "text_delta ' outputs:'",
        "text_delta ' get_weather'",
        "text_delta ' returned'",
        "text_delta \" 'sunny'\"",
    ]
    assert resumed.get_final_run().status == "completed"
