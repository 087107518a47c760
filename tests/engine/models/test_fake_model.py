"""The fake chat-completions server: exact wire shapes, embeddings, auth, recording, its CLI."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import urllib.error
import urllib.request
from typing import Any

from asst_engine.testing.fake_model import FakeModel
from asst_engine.testing.fake_script import embed

WEATHER = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object"}},
}


def post(
    fake: FakeModel, path: str, body: Any, key: str | None = None
) -> tuple[int, dict[str, str], bytes]:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {key or fake.api_key}"}
    request = urllib.request.Request(
        fake.url + path, json.dumps(body).encode(), headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
    body = {
        "id": "chatcmpl-1",
        "created": 1767225600,
        "model": "m",
        "system_fingerprint": "fp_fake",
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(body)}\n\n"


def test_a_streamed_reply_exactly_as_openai_sends_it(fake: FakeModel) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "stream": True}
    status, headers, data = post(fake, "/chat/completions", body)
    assert (status, headers["Content-Type"]) == (200, "text/event-stream; charset=utf-8")
    assert data.decode() == (
        chunk({"role": "assistant", "content": "", "refusal": None})
        + chunk({"content": "You"})
        + chunk({"content": " said:"})
        + chunk({"content": " hi"})
        + chunk({}, "stop")
        + "data: [DONE]\n\n"
    )


def test_streamed_tool_calls_and_the_usage_chunk(fake: FakeModel) -> None:
    body = {
        "model": "m",
        "messages": [{"role": "user", "content": 'call get_weather {"city": "Oslo"}'}],
        "tools": [WEATHER],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    data = post(fake, "/chat/completions", body)[2].decode()
    call_id = json.loads(data.split("\n\n")[1][6:])["choices"][0]["delta"]["tool_calls"][0]["id"]
    usage = {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}
    assert data == (
        chunk({"role": "assistant", "content": None, "refusal": None}, usage=None)
        + chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": call_id,
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": ""},
                    }
                ]
            },
            usage=None,
        )
        + chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city":'}}]}, usage=None)
        + chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Oslo"}'}}]}, usage=None)
        + chunk({}, "tool_calls", usage=None)
        + f"data: {json.dumps({'id': 'chatcmpl-1', 'created': 1767225600, 'model': 'm', 'system_fingerprint': 'fp_fake', 'object': 'chat.completion.chunk', 'choices': [], 'usage': usage})}\n\n"
        + "data: [DONE]\n\n"
    )


def test_a_reply_without_streaming(fake: FakeModel) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "please stop early"}]}
    status, _, data = post(fake, "/chat/completions", body)
    assert (status, json.loads(data)) == (
        200,
        {
            "id": "chatcmpl-1",
            "created": 1767225600,
            "model": "m",
            "system_fingerprint": "fp_fake",
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "You said: ple", "refusal": None},
                    "logprobs": None,
                    "finish_reason": "length",
                }
            ],
            "usage": {"prompt_tokens": 3, "completion_tokens": 3, "total_tokens": 6},
        },
    )


def test_errors_in_openais_shape(fake: FakeModel) -> None:
    failing = {"model": "m", "messages": [{"role": "user", "content": "please fail"}]}
    status, _, data = post(fake, "/chat/completions", failing)
    message = "The server had an error while processing your request. Sorry about that!"
    assert (status, json.loads(data)) == (
        500,
        {"error": {"message": message, "type": "server_error", "param": None, "code": None}},
    )
    limited = {"model": "m", "messages": [{"role": "user", "content": "please rate limit"}]}
    status, headers, data = post(fake, "/chat/completions", limited)
    assert (status, headers["Retry-After"], json.loads(data)["error"]["type"]) == (
        429,
        "1",
        "requests",
    )
    status, _, data = post(fake, "/chat/completions", failing, key="sk-wrong")
    error = {
        "message": "Incorrect API key provided.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
    assert (status, json.loads(data)) == (401, {"error": error})


def test_the_sdk_lists_models_and_embeds_with_either_encoding(fake: FakeModel) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=fake.url, api_key=str(fake.api_key), max_retries=0)
    assert [m.id for m in client.models.list()] == ["fake-model"]
    first, second = client.embeddings.create(model="e", input=["red apples", "red apples"]).data
    assert first.embedding == second.embedding == embed("red apples")
    floats = client.embeddings.create(model="e", input="red apples", encoding_format="float").data[
        0
    ]
    assert floats.embedding == embed("red apples")


def test_embeddings_are_unit_bags_of_words() -> None:
    vector = embed("Apples, apples and pears")
    assert len(vector) == 64
    assert math.isclose(sum(x * x for x in vector), 1.0)
    assert embed("pears and apples apples") == vector
    assert embed("") == [0.0] * 64


def test_requests_are_recorded_and_forgotten(fake: FakeModel) -> None:
    post(fake, "/embeddings", {"model": "e", "input": "x"})
    with urllib.request.urlopen(fake.url.removesuffix("/v1") + "/_requests", timeout=5) as response:
        assert json.loads(response.read()) == [
            {"method": "POST", "path": "/v1/embeddings", "body": {"model": "e", "input": "x"}}
        ]
    forget = urllib.request.Request(fake.url.removesuffix("/v1") + "/_requests", method="DELETE")
    with urllib.request.urlopen(forget, timeout=5) as response:
        assert json.loads(response.read()) == []
    assert fake.requests() == []


def test_run_as_a_module_it_prints_its_url() -> None:
    command = [sys.executable, "-m", "asst_engine.testing.fake_model", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            with urllib.request.urlopen(url + "/models", timeout=5) as response:
                assert json.loads(response.read())["data"][0]["id"] == "fake-model"
        finally:
            process.terminate()
    assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
