"""openai-python, unpatched, runs its own Assistants flows against the server.

The SDK's ``client.beta`` Assistants surface is deprecated in favour of the Responses API but
still shipped; its deprecation warnings are silenced here only. User messages use the fake
model's keywords (``call <fname> {json}``...), the scripted responder's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from openai import AssistantEventHandler, OpenAI
from openai.types.beta import AssistantStreamEvent
from openai.types.beta.threads import Text, TextDelta
from openai.types.beta.threads.runs import ToolCall, ToolCallDelta
from typing_extensions import override

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


def shaped(prefix: str, value: str) -> bool:
    """Ids look like the real service's: a fixed prefix, then letters and digits."""
    return re.fullmatch(re.escape(prefix) + r"[A-Za-z0-9]{8,}", value) is not None


def conversation(client: OpenAI, thread_id: str) -> list[tuple[str, str]]:
    """The thread's messages, oldest first, as (role, text); a part that is no text by its type."""
    listed = client.beta.threads.messages.list(thread_id, order="asc")
    return [
        (m.role, "".join(p.text.value if p.type == "text" else p.type for p in m.content))
        for m in listed.data
    ]


@pytest.fixture
def client(server_url: str) -> Iterator[OpenAI]:
    with OpenAI(base_url=f"{server_url}/v1", api_key="sk-test", max_retries=0) as sdk:
        yield sdk


def test_runs_create_and_poll(client: OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o", name="poller")
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(thread.id, role="user", content="hello there")

    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert (run.status, run.thread_id, run.assistant_id) == ("completed", thread.id, assistant.id)
    assert shaped("asst_", assistant.id) and shaped("thread_", thread.id) and shaped("run_", run.id)
    assert conversation(client, thread.id) == [
        ("user", "hello there"),
        ("assistant", "You said: hello there"),
    ]


def test_threads_create_and_run_poll(client: OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id,
        thread={"messages": [{"role": "user", "content": "one shot"}]},
    )

    assert run.status == "completed"
    assert conversation(client, run.thread_id) == [
        ("user", "one shot"),
        ("assistant", "You said: one shot"),
    ]
    reply = client.beta.threads.messages.list(run.thread_id, limit=1).data[0]
    assert reply.run_id == run.id


class Recorder(AssistantEventHandler):
    """Writes down what the SDK's stream handler tells, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    @override
    def on_event(self, event: AssistantStreamEvent) -> None:
        self.seen.append(event.event)

    @override
    def on_text_created(self, text: Text) -> None:
        self.seen.append("text_created")

    @override
    def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        self.seen.append(f"text_delta {delta.value!r} -> {snapshot.value!r}")

    @override
    def on_text_done(self, text: Text) -> None:
        self.seen.append(f"text_done {text.value!r}")

    @override
    def on_tool_call_created(self, tool_call: ToolCall) -> None:
        self.seen.append(f"tool_call_created {tool_call.type}")

    @override
    def on_tool_call_delta(self, delta: ToolCallDelta, snapshot: ToolCall) -> None:
        if delta.type == "function" and delta.function is not None:
            self.seen.append(f"tool_call_delta {delta.function.arguments!r}")

    @override
    def on_tool_call_done(self, tool_call: ToolCall) -> None:
        if tool_call.type == "function":
            function = tool_call.function
            self.seen.append(f"tool_call_done {function.name} {function.arguments}")

    def callbacks(self) -> list[str]:
        """The handler callbacks only, without the raw event names."""
        return [s for s in self.seen if not s.startswith(("thread.", "done"))]


def stream_run(client: OpenAI, thread_id: str, assistant_id: str) -> Recorder:
    """Stream a run to its end (or its tool calls) through a ``Recorder``."""
    with client.beta.threads.runs.stream(
        thread_id=thread_id, assistant_id=assistant_id, event_handler=Recorder()
    ) as stream:
        stream.until_done()
    return stream


def test_runs_stream_text(client: OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "stream me"}])

    stream = stream_run(client, thread.id, assistant.id)

    assert stream.seen == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.message.created",
        "thread.message.in_progress",
        "thread.message.delta",
        "text_created",
        "text_delta 'You' -> 'You'",
        "thread.message.delta",
        "text_delta ' said:' -> 'You said:'",
        "thread.message.delta",
        "text_delta ' stream' -> 'You said: stream'",
        "thread.message.delta",
        "text_delta ' me' -> 'You said: stream me'",
        "thread.message.completed",
        "text_done 'You said: stream me'",
        "thread.run.step.completed",
        "thread.run.completed",
    ]
    assert stream.get_final_run().status == "completed"
    assert [m.content[0].text.value for m in stream.get_final_messages()] == [  # type: ignore[union-attr]
        "You said: stream me"
    ]


def _stream_tool_call(client: OpenAI) -> Recorder:
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[WEATHER])  # type: ignore[list-item]
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": 'call get_weather {"city": "Paris"}'}]
    )
    return stream_run(client, thread.id, assistant.id)


def test_runs_stream_tool_call_callbacks(client: OpenAI) -> None:
    stream = _stream_tool_call(client)

    assert stream.callbacks() == [
        "tool_call_created function",
        "tool_call_delta '{\"city\":'",
        "tool_call_delta '\"Paris\"}'",
        'tool_call_done get_weather {"city":"Paris"}',
    ]


def test_submit_tool_outputs_stream(client: OpenAI) -> None:
    stream = _stream_tool_call(client)
    run = stream.current_run
    assert run is not None and run.status == "requires_action"
    assert run.required_action is not None
    calls = run.required_action.submit_tool_outputs.tool_calls
    assert [(c.type, c.function.name, c.function.arguments) for c in calls] == [
        ("function", "get_weather", '{"city":"Paris"}')
    ]
    assert shaped("call_", calls[0].id)

    with client.beta.threads.runs.submit_tool_outputs_stream(
        thread_id=run.thread_id,
        run_id=run.id,
        tool_outputs=[{"tool_call_id": calls[0].id, "output": "sunny"}],
        event_handler=Recorder(),
    ) as after:
        after.until_done()

    assert after.get_final_run().status == "completed"
    assert after.callbacks()[-1] == "text_done \"Tool outputs: get_weather returned 'sunny'\""
    assert [e for e in after.seen if e.startswith("thread.run.")] == [
        "thread.run.step.completed",
        "thread.run.queued",
        "thread.run.in_progress",
        "thread.run.step.created",
        "thread.run.step.in_progress",
        "thread.run.step.completed",
        "thread.run.completed",
    ]


def test_vector_store_file_batch_upload_and_poll(client: OpenAI) -> None:
    store = client.vector_stores.create(name="handbook")
    batch = client.vector_stores.file_batches.upload_and_poll(
        store.id,
        files=[("a.txt", b"Alpha line.\n"), ("b.md", b"# Beta\n")],
    )

    assert (batch.status, batch.vector_store_id) == ("completed", store.id)
    assert (batch.file_counts.completed, batch.file_counts.total) == (2, 2)
    assert shaped("vs_", store.id) and shaped("vsfb_", batch.id)
    members = client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    names = sorted(client.files.retrieve(f.id).filename for f in members)
    assert names == ["a.txt", "b.md"]


def test_auto_paging_lists_every_assistant(client: OpenAI) -> None:
    for old in list(client.beta.assistants.list(limit=100)):
        client.beta.assistants.delete(old.id)
    made = [client.beta.assistants.create(model="gpt-4o", name=f"a{i}").id for i in range(5)]

    first = client.beta.assistants.list(limit=2)
    pages = [[a.id for a in page.data] for page in first.iter_pages()]

    assert [a.id for a in client.beta.assistants.list(limit=2)] == made[::-1]
    assert pages == [made[4:2:-1], made[2:0:-1], made[:1]]


def test_files_upload_retrieve_content_delete(client: OpenAI) -> None:
    uploaded = client.files.create(
        file=("notes.txt", b"first line\nsecond\n"), purpose="assistants"
    )

    assert shaped("file-", uploaded.id)
    assert (uploaded.filename, uploaded.bytes, uploaded.purpose) == ("notes.txt", 18, "assistants")
    assert client.files.retrieve(uploaded.id).filename == "notes.txt"
    assert client.files.content(uploaded.id).read() == b"first line\nsecond\n"
    deleted = client.files.delete(uploaded.id)
    assert (deleted.id, deleted.deleted) == (uploaded.id, True)


def test_submit_tool_outputs_and_poll(client: OpenAI) -> None:
    assistant = client.beta.assistants.create(model="gpt-4o", tools=[WEATHER])  # type: ignore[list-item]
    thread = client.beta.threads.create(
        messages=[{"role": "user", "content": 'call get_weather {"city": "Rome"}'}]
    )
    waiting = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id
    )
    assert waiting.status == "requires_action" and waiting.required_action is not None
    (call,) = waiting.required_action.submit_tool_outputs.tool_calls

    run = client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=waiting.id,
        thread_id=thread.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "rainy"}],
    )

    assert run.status == "completed"
    assert conversation(client, thread.id)[-1] == (
        "assistant",
        "Tool outputs: get_weather returned 'rainy'",
    )


def test_vector_store_search(client: OpenAI) -> None:
    store = client.vector_stores.create(name="facts")
    client.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("facts.txt", b"The capital of France is Paris.\n")
    )

    results = client.vector_stores.search(store.id, query="capital of France")

    assert [(r.filename, [c.text for c in r.content]) for r in results] == [
        ("facts.txt", ["The capital of France is Paris."])
    ]


def test_a_streamed_search_shows_the_results_content_when_included(client: OpenAI) -> None:
    store = client.vector_stores.create(name="facts")
    client.vector_stores.files.upload_and_poll(
        vector_store_id=store.id, file=("facts.txt", b"The capital of France is Paris.\n")
    )
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )
    content = "step_details.tool_calls[*].file_search.results[*].content"
    found = {}
    for include in ([], [content]):
        thread = client.beta.threads.create(
            messages=[{"role": "user", "content": "please search capital of France"}]
        )
        with client.beta.threads.runs.stream(
            thread_id=thread.id, assistant_id=assistant.id, include=include
        ) as stream:
            stream.until_done()
            step = next(s for s in stream.get_final_run_steps() if s.type == "tool_calls")
        assert step.step_details.type == "tool_calls"
        call = step.step_details.tool_calls[0]
        assert call.type == "file_search"
        found[bool(include)] = [
            (r.file_name, [c.text for c in r.content or []]) for r in call.file_search.results or []
        ]
    assert found == {
        False: [("facts.txt", [])],
        True: [("facts.txt", ["The capital of France is Paris."])],
    }
