"""ChatCompletionsModel against the fake chat-completions server on loopback."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from asst_engine.models.base import (
    ChatRequest,
    Completion,
    Finish,
    ModelError,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    collect,
)
from asst_engine.models.chat import ChatCompletionsModel, RetryPolicy, arguments, events
from asst_engine.testing.fake_model import FakeModel, Recorded
from asst_engine.testing.waits import Waits

WEATHER = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object"}},
}


def model(
    fake: FakeModel, waits: Waits | None = None, key: str = "", **options: Any
) -> ChatCompletionsModel:
    return ChatCompletionsModel(
        fake.url, key or str(fake.api_key), wait=waits or Waits(), **options
    )


def ask(text: str, **fields: Any) -> ChatRequest:
    return ChatRequest("fake-model", [{"role": "user", "content": text}], **fields)


def test_a_text_reply_streams_in_pieces_with_the_servers_usage(fake: FakeModel) -> None:
    streamed = list(model(fake).stream(ask("hello there"), threading.Event()))
    assert streamed == [
        TextDelta("You"),
        TextDelta(" said:"),
        TextDelta(" hello"),
        TextDelta(" there"),
        Finish("stop", 2, 4),
    ]


def test_what_the_server_was_sent(fake: FakeModel) -> None:
    request = ask(
        "hi",
        tools=[WEATHER],
        tool_choice="required",
        temperature=0.5,
        max_tokens=20,
        parallel_tool_calls=False,
    )
    list(model(fake, token_limit="max_completion_tokens").stream(request, threading.Event()))
    assert fake.requests() == [
        Recorded(
            "POST",
            "/v1/chat/completions",
            {
                "messages": [{"role": "user", "content": "hi"}],
                "model": "fake-model",
                "max_completion_tokens": 20,
                "parallel_tool_calls": False,
                "stream": True,
                "stream_options": {"include_usage": True},
                "temperature": 0.5,
                "tool_choice": "required",
                "tools": [WEATHER],
            },
        )
    ]


def test_parallel_tool_calls_arrive_as_fragments_and_assemble(fake: FakeModel) -> None:
    request = ask(
        'call get_weather {"city": "Paris, France"} then call get_weather {"city": "Oslo"}',
        tools=[WEATHER],
    )
    streamed = list(model(fake).stream(request, threading.Event()))
    first = [e for e in streamed if isinstance(e, ToolCallDelta) and e.index == 0]
    assert [(e.id is not None, e.name, e.arguments) for e in first] == [
        (True, "get_weather", ""),
        (False, None, '{"city":'),
        (False, None, '"Paris, '),
        (False, None, 'France"}'),
    ]
    done = collect(streamed)
    assert done == Completion(
        "",
        (
            ToolCall(done.tool_calls[0].id, "get_weather", '{"city":"Paris, France"}'),
            ToolCall(done.tool_calls[1].id, "get_weather", '{"city":"Oslo"}'),
        ),
        Finish("tool_calls", 10, 5),
    )
    assert [call.id[:5] for call in done.tool_calls] == ["call_", "call_"]
    assert done.tool_calls[0].id != done.tool_calls[1].id


def test_tool_outputs_are_quoted(fake: FakeModel) -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "get_weather", "arguments": "{}"},
    }
    messages = [
        {"role": "user", "content": "call get_weather"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
    ]
    done = collect(
        model(fake).stream(ChatRequest("fake-model", messages, tools=[WEATHER]), threading.Event())
    )
    assert done.text == "Tool outputs: get_weather returned 'sunny'"


def test_stopping_early_is_finish_reason_length(fake: FakeModel) -> None:
    done = collect(model(fake).stream(ask("please stop early"), threading.Event()))
    assert (done.text, done.finish) == ("You said: ple", Finish("length", 3, 3))


def test_a_stream_without_usage_gets_the_estimate() -> None:
    chunk = _chunk({"content": "abcdefgh"}, None)
    final = _chunk({}, "stop")
    streamed = list(events([chunk, final], ask("12345678")))
    # Prompt: 4 per message + ceil(8 / 4); completion: ceil(8 / 4).
    assert streamed == [TextDelta("abcdefgh"), Finish("stop", 6, 2)]


def test_tool_calls_under_finish_reason_stop_are_tool_calls() -> None:
    whole = {
        "tool_calls": [
            {
                "index": 0,
                "id": "c",
                "type": "function",
                "function": {"name": "f", "arguments": "{}"},
            }
        ]
    }
    streamed = list(events([_chunk(whole, "stop")], ask("x")))
    assert streamed[-1] == Finish("tool_calls", 5, 1)


def _chunk(delta: dict[str, Any], finish: str | None) -> Any:
    from openai.types.chat import ChatCompletionChunk

    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    return ChatCompletionChunk.model_validate(
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "m",
            "choices": [choice],
        }
    )


def test_rate_limits_are_retried_after_retry_after_then_reported(fake: FakeModel) -> None:
    waits = Waits()
    with pytest.raises(ModelError) as raised:
        list(model(fake, waits).stream(ask("please rate limit"), threading.Event()))
    error = raised.value
    assert (error.code, error.retryable) == ("rate_limit_exceeded", True)
    assert (
        error.message
        == "The model provider is rate limiting requests (429): Rate limit reached. Please try again in 1s."
    )
    assert waits.seconds == [1.0, 1.0, 1.0]
    assert len(fake.requests()) == 4


def test_a_retry_that_succeeds(fake: FakeModel) -> None:
    waits = Waits()
    done = collect(model(fake, waits).stream(ask("please rate limit 2 times"), threading.Event()))
    assert done.text == "You said: please rate limit 2 times"
    assert (waits.seconds, len(fake.requests())) == ([1.0, 1.0], 3)


def test_server_errors_back_off_exponentially(fake: FakeModel) -> None:
    waits = Waits()
    policy = RetryPolicy(max_retries=2, jitter=lambda: 0.0)
    with pytest.raises(ModelError) as raised:
        list(model(fake, waits, retry=policy).stream(ask("please fail"), threading.Event()))
    assert (raised.value.code, raised.value.retryable) == ("server_error", True)
    assert raised.value.message == (
        "The model provider failed (500): The server had an error while processing your request. Sorry about that!"
    )
    assert waits.seconds == [0.5, 1.0]


@pytest.mark.parametrize(
    ("retry_after", "attempt", "delay"),
    [(None, 0, 0.375), (None, 5, 6.0), (2.5, 0, 2.5), (-1.0, 0, 0.0), (61.0, 0, None)],
)
def test_retry_delays(retry_after: float | None, attempt: int, delay: float | None) -> None:
    assert RetryPolicy(jitter=lambda: 1.0).delay(attempt, retry_after) == delay


def test_a_wrong_key_is_not_retried_and_never_echoed(fake: FakeModel) -> None:
    waits = Waits()
    with pytest.raises(ModelError) as raised:
        list(model(fake, waits, key="sk-wrong-key-123456").stream(ask("hi"), threading.Event()))
    assert (raised.value.code, raised.value.retryable, waits.seconds) == ("server_error", False, [])
    assert (
        raised.value.message
        == "The model provider refused the credentials (401): Incorrect API key provided. (check its API key)"
    )


def test_a_rejected_prompt_is_invalid_prompt(fake: FakeModel) -> None:
    with pytest.raises(ModelError) as raised:
        list(model(fake).stream(ChatRequest("fake-model", []), threading.Event()))
    assert (raised.value.code, raised.value.retryable) == ("invalid_prompt", False)
    assert raised.value.message == (
        "The model provider rejected the prompt (400): Invalid 'messages': empty array. Expected an array with minimum length 1."
    )


def test_an_unreachable_provider_is_a_retryable_server_error() -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/v1"
    waits = Waits()
    unreachable = ChatCompletionsModel(
        url, "sk-any", wait=waits, retry=RetryPolicy(max_retries=1, jitter=lambda: 0.0)
    )
    with pytest.raises(ModelError) as raised:
        list(unreachable.stream(ask("hi"), threading.Event()))
    assert (raised.value.code, raised.value.retryable, waits.seconds) == (
        "server_error",
        True,
        [0.5],
    )
    assert raised.value.message.startswith(f"Could not reach the model provider at {url}: ")


def test_cancel_ends_a_silent_stream_without_a_finish(fake: FakeModel) -> None:
    cancel = threading.Event()
    stream = model(fake).stream(ask("please hang"), cancel)
    watcher = threading.Thread(target=_cancel_when_hanging, args=(fake, cancel))
    watcher.start()
    assert list(stream) == []
    watcher.join()


def test_cancel_ends_a_call_still_waiting_for_the_server(fake: FakeModel) -> None:
    cancel = threading.Event()
    stream = model(fake).stream(ask("please sleep 600000"), cancel)
    watcher = threading.Thread(target=_cancel_when_hanging, args=(fake, cancel))
    watcher.start()
    assert list(stream) == []
    watcher.join()


def test_cancel_between_events_stops_the_stream(fake: FakeModel) -> None:
    cancel = threading.Event()
    stream: Iterator[Any] = model(fake).stream(ask("one two three four"), cancel)
    assert next(stream) == TextDelta("You")
    cancel.set()
    assert list(stream) == []


def _cancel_when_hanging(fake: FakeModel, cancel: threading.Event) -> None:
    """Cancel once the server has the request (it then holds the answer until cancelled)."""
    while not fake.requests():
        threading.Event().wait(0.01)
    cancel.set()


def test_arguments_leave_out_what_is_not_set() -> None:
    assert arguments(ask("x")) == {
        "model": "fake-model",
        "messages": [{"role": "user", "content": "x"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    request = ask(
        "x",
        response_format={"type": "json_object"},
        top_p=0.1,
        max_tokens=5,
        reasoning_effort="low",
    )
    assert arguments(request) == {
        **arguments(ask("x")),
        "response_format": {"type": "json_object"},
        "top_p": 0.1,
        "max_tokens": 5,
        "reasoning_effort": "low",
    }
