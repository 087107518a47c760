"""openai-python's flows shared by the tests that run them against an engine over HTTP (in
process, or the ``asst serve`` process): a streamed tool-call round, answered, and what the
SDK's callbacks saw, piece by piece, with the fake model behind the runs."""

from __future__ import annotations

from openai import AssistantEventHandler, OpenAI
from openai.types.beta.threads import Text, TextDelta
from openai.types.beta.threads.runs import ToolCall, ToolCallDelta
from typing_extensions import override

WEATHER = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
}
# What the callbacks see: the fake model sends the call's arguments in two pieces...
TOOL_CALL_SEEN = [
    "tool_call_created function",
    "tool_call_delta '{\"city\":'",
    "tool_call_delta '\"Paris\"}'",
    'tool_call_done get_weather {"city":"Paris"}',
]
# ... and, given the output, its reply a word at a time.
REPLY_SEEN = [
    "text_delta 'Tool'",
    "text_delta ' outputs:'",
    "text_delta ' get_weather'",
    "text_delta ' returned'",
    "text_delta \" 'sunny'\"",
]


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


def streamed_tool_round(client: OpenAI) -> tuple[list[str], list[str], str]:
    """``runs.stream`` to a get_weather call, then ``submit_tool_outputs_stream`` with
    "sunny": what each stream's callbacks saw, and the run's final status."""
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
    return first.seen, after.seen, resumed.get_final_run().status
