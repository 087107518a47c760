"""The prompt a run sends: exact ChatRequests built from stored assistants, runs and messages."""

from __future__ import annotations

from typing import Any

import pytest

from asst_engine.models.base import ChatRequest, ToolCall
from asst_engine.models.prompt import ToolRound, build_request, estimate_tokens, prompt_tokens

WEATHER = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
}
ASSISTANT = {
    "model": "gpt-4o",
    "instructions": "Be brief.",
    "temperature": 1.0,
    "top_p": 1.0,
    "response_format": "auto",
}


BARE = {**ASSISTANT, "instructions": None}


def run(**fields: Any) -> dict[str, Any]:
    """A run as the engine stores it, with its defaults."""
    stored: dict[str, Any] = {
        "instructions": "Be brief.",
        "tools": [],
        "temperature": 1.0,
        "top_p": 1.0,
        "max_prompt_tokens": None,
        "max_completion_tokens": None,
        "truncation_strategy": {"type": "auto", "last_messages": None},
        "response_format": "auto",
        "tool_choice": "auto",
        "parallel_tool_calls": True,
    }
    return {**stored, **fields}


def text(role: str, value: str, **fields: Any) -> dict[str, Any]:
    return {
        "role": role,
        "content": [{"type": "text", "text": {"value": value, "annotations": []}}],
        "attachments": [],
        **fields,
    }


def test_a_plain_run_sends_instructions_then_the_thread() -> None:
    thread = [text("user", "Hi"), text("assistant", "Hello!"), text("user", "Weather?")]
    request = build_request(ASSISTANT, run(), thread, model="llama3.1")
    assert request == ChatRequest(
        model="llama3.1",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hello!"},
            {"role": "user", "content": "Weather?"},
        ],
        temperature=1.0,
        top_p=1.0,
    )


@pytest.mark.parametrize(
    ("assistant_says", "run_fields", "system"),
    [
        ("Be brief.", {"instructions": "Be verbose."}, "Be verbose."),
        ("Be brief.", {"instructions": None}, "Be brief."),
        (
            "Be brief.",
            {"instructions": "", "additional_instructions": "Use metric."},
            "Be brief.\n\nUse metric.",
        ),
        # The engine stores a run's instructions with the additional ones appended already.
        (
            "Be brief.",
            {"instructions": "Be brief.\n\nUse metric.", "additional_instructions": "Use metric."},
            "Be brief.\n\nUse metric.",
        ),
        (None, {"instructions": "", "additional_instructions": "Use metric."}, "Use metric."),
    ],
)
def test_the_system_message(
    assistant_says: str | None, run_fields: dict[str, Any], system: str
) -> None:
    request = build_request(
        {**ASSISTANT, "instructions": assistant_says},
        run(**run_fields),
        [text("user", "Hi")],
        model="m",
    )
    assert request.messages[0] == {"role": "system", "content": system}


def test_no_instructions_no_system_message() -> None:
    request = build_request(
        {"instructions": None}, run(instructions=""), [text("user", "Hi")], model="m"
    )
    assert request.messages == [{"role": "user", "content": "Hi"}]


def test_attachments_are_named_and_images_are_notes_for_a_text_model() -> None:
    message = {
        "role": "user",
        "content": [
            {"type": "text", "text": {"value": "Compare these.", "annotations": []}},
            {"type": "image_file", "image_file": {"file_id": "file-img", "detail": "low"}},
            {"type": "image_url", "image_url": {"url": "https://example.test/a.png"}},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
        ],
        "attachments": [
            {"file_id": "file-abc", "tools": [{"type": "file_search"}]},
            {"file_id": "file-xyz", "tools": []},
        ],
    }
    names = {"file-abc": "report.pdf", "file-img": "chart.png"}
    request = build_request(BARE, run(instructions=""), [message], model="m", filenames=names)
    assert request.messages == [
        {
            "role": "user",
            "content": "Compare these.\n\n[image: chart.png (file-img)]\n\n[image: https://example.test/a.png]"
            "\n\n[image: inline data]\n\n[attached: report.pdf (file-abc)]\n[attached: file-xyz]",
        }
    ]


def test_images_become_image_url_parts_for_a_vision_model() -> None:
    message = {
        "role": "user",
        "content": [
            {"type": "text", "text": {"value": "What is this?", "annotations": []}},
            {"type": "image_file", "image_file": {"file_id": "file-img", "detail": "high"}},
            {"type": "image_url", "image_url": {"url": "https://example.test/a.png"}},
            {"type": "image_file", "image_file": {"file_id": "file-gone"}},
        ],
    }
    urls = {"file-img": "data:image/png;base64,iVBOR"}
    request = build_request(
        BARE, run(instructions=""), [message], model="m", images=True, image_urls=urls
    )
    assert request.messages == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {
                    "type": "image_url",
                    "image_url": {"url": "data:image/png;base64,iVBOR", "detail": "high"},
                },
                {"type": "image_url", "image_url": {"url": "https://example.test/a.png"}},
                {"type": "text", "text": "[image: file-gone]"},
            ],
        }
    ]


def test_an_assistant_message_never_carries_image_parts() -> None:
    message = {
        "role": "assistant",
        "content": [{"type": "image_file", "image_file": {"file_id": "file-img"}}],
    }
    request = build_request(
        BARE,
        run(instructions=""),
        [message],
        model="m",
        images=True,
        image_urls={"file-img": "data:x"},
    )
    assert request.messages == [{"role": "assistant", "content": "[image: file-img]"}]


def test_function_tools_only_and_earlier_tool_rounds() -> None:
    tools = [{"type": "code_interpreter"}, WEATHER, {"type": "file_search"}]
    calls = (
        ToolCall("call_1", "get_weather", '{"city":"Oslo"}'),
        ToolCall("call_2", "get_weather", "{}"),
    )
    rounds = [ToolRound(calls, {"call_2": "rain", "call_1": "sun"}, "Checking.")]
    request = build_request(
        BARE,
        run(instructions="", tools=tools, parallel_tool_calls=False),
        [text("user", "Weather?")],
        rounds,
        model="m",
    )
    assert request.tools == [WEATHER]
    assert request.tool_choice == "auto"
    assert request.parallel_tool_calls is False
    assert request.messages == [
        {"role": "user", "content": "Weather?"},
        {
            "role": "assistant",
            "content": "Checking.",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city":"Oslo"}'},
                },
                {
                    "id": "call_2",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": "{}"},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_1", "content": "sun"},
        {"role": "tool", "tool_call_id": "call_2", "content": "rain"},
    ]


def test_a_round_without_an_output_for_every_call_is_refused() -> None:
    rounds = [ToolRound((ToolCall("call_1", "f", "{}"),), {})]
    with pytest.raises(
        ValueError, match=r"^No output for tool calls \['call_1'\]: every call needs one\.$"
    ):
        build_request(ASSISTANT, run(tools=[WEATHER]), [text("user", "x")], rounds, model="m")


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        (
            {"type": "function", "function": {"name": "get_weather"}},
            {"type": "function", "function": {"name": "get_weather"}},
        ),
        ({"type": "file_search"}, "auto"),
        (None, None),
    ],
)
def test_tool_choice(choice: Any, sent: Any) -> None:
    request = build_request(
        ASSISTANT, run(tools=[WEATHER], tool_choice=choice), [text("user", "x")], model="m"
    )
    assert request.tool_choice == sent


def test_without_function_tools_no_tool_settings_are_sent() -> None:
    request = build_request(
        ASSISTANT,
        run(tools=[{"type": "file_search"}], tool_choice="required"),
        [text("user", "x")],
        model="m",
    )
    assert (request.tools, request.tool_choice, request.parallel_tool_calls) == ([], None, None)


@pytest.mark.parametrize(
    ("fields", "sent"),
    [
        ({"response_format": "auto"}, None),
        ({"response_format": {"type": "text"}}, None),
        ({"response_format": {"type": "json_object"}}, {"type": "json_object"}),
        (
            {
                "response_format": {
                    "type": "json_schema",
                    "json_schema": {"name": "x", "schema": {}},
                }
            },
            {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}},
        ),
    ],
)
def test_response_format(fields: dict[str, Any], sent: Any) -> None:
    assert (
        build_request(ASSISTANT, run(**fields), [text("user", "x")], model="m").response_format
        == sent
    )


def test_sampling_and_limits_come_from_the_run_then_the_assistant() -> None:
    assistant = {**ASSISTANT, "temperature": 0.2, "top_p": 0.9, "reasoning_effort": "low"}
    request = build_request(
        assistant,
        run(temperature=None, top_p=0.5, max_completion_tokens=300),
        [text("user", "x")],
        model="m",
    )
    assert (request.temperature, request.top_p, request.max_tokens, request.reasoning_effort) == (
        0.2,
        0.5,
        300,
        "low",
    )


def test_last_messages_keeps_the_last_n() -> None:
    thread = [text("user", f"m{i}") for i in range(5)]
    strategy = {"type": "last_messages", "last_messages": 2}
    request = build_request(
        BARE, run(instructions="", truncation_strategy=strategy), thread, model="m"
    )
    assert request.messages == [
        {"role": "user", "content": "m3"},
        {"role": "user", "content": "m4"},
    ]


def test_max_prompt_tokens_drops_the_oldest_messages_and_a_leading_assistant_turn() -> None:
    # Each message costs 4 + ceil(40 / 4) = 14 tokens; the system message 4 + ceil(9 / 4) = 7.
    thread = [text("user" if i % 2 == 0 else "assistant", f"{i}" * 40) for i in range(6)]
    request = build_request(ASSISTANT, run(max_prompt_tokens=7 + 14 * 3), thread, model="m")
    assert [m["content"][0] for m in request.messages] == ["B", "4", "5"]
    assert prompt_tokens(request) == 7 + 14 * 2


def test_max_prompt_tokens_always_keeps_the_newest_message() -> None:
    thread = [text("user", "old"), text("user", "x" * 400)]
    request = build_request(BARE, run(instructions="", max_prompt_tokens=10), thread, model="m")
    assert request.messages == [{"role": "user", "content": "x" * 400}]


def test_the_estimate() -> None:
    assert [estimate_tokens(s) for s in ("", "a", "abcd", "abcde")] == [0, 1, 1, 2]
    request = ChatRequest(
        "m",
        [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "abcd"},
                    {"type": "image_url", "image_url": {"url": "u"}},
                ],
            }
        ],
        tools=[WEATHER],
    )
    assert prompt_tokens(request) == 4 + 1 + 85 + estimate_tokens(str(WEATHER).replace("'", '"'))
