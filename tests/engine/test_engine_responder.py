"""The deterministic responder on its own: keywords → outcomes."""

from __future__ import annotations

from asst_engine.responder import (
    Expiry,
    Failure,
    FunctionCall,
    Incomplete,
    Reply,
    ToolCalls,
    after_tools,
    respond,
)


def test_plain_text_is_echoed() -> None:
    assert respond("Hi there", ["f"]) == Reply("You said: Hi there")


def test_keywords() -> None:
    assert respond("Please FAIL", []) == Failure("server_error", "Sorry, something went wrong.")
    assert respond("please expire", []) == Expiry()
    assert respond("please stop early", []) == Incomplete("max_completion_tokens", "You said: ple")


def test_function_calls_need_a_declared_function() -> None:
    assert respond("call lookup", ["lookup"]) == ToolCalls((FunctionCall("lookup", "{}"),))
    assert respond("call lookup", []) == Reply("You said: call lookup")
    parsed = respond('call lookup {"q": "x", "n": 2} thanks', ["lookup"])
    assert parsed == ToolCalls((FunctionCall("lookup", '{"q":"x","n":2}'),))
    broken = respond("call lookup {not json", ["lookup"])
    assert broken == ToolCalls((FunctionCall("lookup", "{}"),))


def test_reply_after_tools_quotes_outputs() -> None:
    assert after_tools([("a", "1"), ("b", "two")]) == Reply(
        "Tool outputs: a returned '1'; b returned 'two'"
    )
