"""The deterministic responder on its own: keywords → outcomes."""

from __future__ import annotations

from asst_engine.models.scripted import (
    Incomplete,
    Reply,
    ToolCalls,
    after_tools,
    queued_polls,
    respond,
)
from asst_engine.models.turn import Citation, Code, FileLink, FunctionCall, Search
from asst_engine.models.turn import Expired as Expiry
from asst_engine.models.turn import Failed as Failure
from asst_engine.models.turn import Stalled as Hang
from asst_engine.tools.search import Source, quote_of


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


def test_hang_and_queue() -> None:
    assert respond("please hang", ["f"]) == Hang()
    assert respond("please fail, please hang", []) == Failure(
        "server_error", "Sorry, something went wrong."
    )
    assert queued_polls("Please queue for 12 polls") == 12
    assert queued_polls("please queue for 1 poll") == 1
    assert queued_polls("please queue") == 0
    assert respond("please queue for 2 polls", []) == Reply("You said: please queue for 2 polls")


def test_cite() -> None:
    source = Source("file-1", "a.txt", "Quote")
    cited = respond("please cite", [], source, ["file_search"])
    assert cited == Reply(
        'According to a.txt: "Quote"【4:0†source】',
        (Citation("【4:0†source】", source),),
        tool=Search((source,)),
    )
    assert respond("please cite", [], source).tool is None  # no file_search tool
    assert respond("please cite", [], None, ["file_search"]) == Reply(
        "I found no file to cite.", tool=Search(())
    )
    assert quote_of(b"\n \n  first line  \nsecond") == "first line"
    assert quote_of(b"x" * 500) == "x" * 100
    assert quote_of(b"") == ""


def test_make_a_file() -> None:
    made = respond("please make a file", [], None, ["code_interpreter"])
    assert isinstance(made, Reply) and isinstance(made.tool, Code)
    assert made.text == "Here is the data: [Download data.csv](sandbox:/mnt/data/data.csv)"
    assert made.notes == (FileLink("sandbox:/mnt/data/data.csv", "data.csv"),)
    assert made.image == made.tool.image == "chart.png"
    assert [f.filename for f in made.files] == ["data.csv", "chart.png"]
    assert respond("please make a file", []).tool is None  # type: ignore[union-attr]
