"""The pieces of file_search a responder uses: arguments, results for the model, citations,
markers held whole while streaming, and the step's content switch."""

from __future__ import annotations

from collections.abc import Sequence

from asst_engine.models.base import ToolCall
from asst_engine.models.searching import MAX_SEARCHES, Searching
from asst_engine.models.turn import FunctionCall, FunctionCalls, Search
from asst_engine.tools.file_search import (
    Findings,
    Markers,
    Result,
    citations,
    findings_of,
    queries_of,
    settings,
    step_call,
    without_content,
)

BEES = Result("file-b", "bees.txt", 1.0, "Bees dance.")
TEA = Result("file-t", "tea.md", 0.5, "Tea is whisked.")
FOUND = Findings(0, ("bees",), (BEES, TEA), 0.25)


def test_queries_come_from_the_arguments() -> None:
    assert queries_of('{"queries": ["a", " ", "b"]}') == ("a", "b")
    assert queries_of('{"query": "one"}') == ("one",)
    assert queries_of("not json") == ()
    assert queries_of("[1]") == ()


def test_settings_come_from_the_runs_tool() -> None:
    tool = {"type": "file_search", "file_search": {"max_num_results": 3}}
    assert settings({"tools": [tool]}) == (3, 0.0)
    ranked = {"type": "file_search", "file_search": {"ranking_options": {"score_threshold": 0.4}}}
    assert settings({"tools": [ranked]}) == (20, 0.4)
    assert settings({"tools": []}) == (20, 0.0)


def test_results_reach_the_model_under_their_markers() -> None:
    assert FOUND.for_model() == "【0:0†bees.txt】\nBees dance.\n\n【0:1†tea.md】\nTea is whisked."
    assert Findings(3, ("x",), ()).for_model() == "No results found."


def test_markers_become_citations_at_their_ranges() -> None:
    text = "Bees dance【0:0†bees.txt】 and tea【0:1†tea.md】, not【0:9†x】 nor【7:0†y】."
    found = citations(text, [FOUND])
    assert [(c.marker, c.start, c.end, c.result.file_id) for c in found] == [
        ("【0:0†bees.txt】", 10, 24, "file-b"),
        ("【0:1†tea.md】", 32, 44, "file-t"),
    ]
    assert [text[c.start : c.end] for c in found] == ["【0:0†bees.txt】", "【0:1†tea.md】"]
    assert found[0].quote == "Bees dance."


def test_streamed_markers_are_held_until_whole() -> None:
    markers = Markers()
    assert markers.feed("See 【0:") == "See "
    assert markers.feed("0†bees") == ""
    assert markers.feed(".txt】 ok") == "【0:0†bees.txt】 ok"
    assert markers.feed("【" + "x" * 200) == "【" + "x" * 200  # a stray bracket is let go
    assert markers.feed("tail【") == "tail"
    assert markers.flush() == "【"


def test_the_step_keeps_content_that_only_include_shows() -> None:
    call = step_call(FOUND)
    assert call == {
        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.25},
        "results": [
            {"file_id": "file-b", "file_name": "bees.txt", "score": 1.0,
             "content": [{"type": "text", "text": "Bees dance."}]},
            {"file_id": "file-t", "file_name": "tea.md", "score": 0.5,
             "content": [{"type": "text", "text": "Tea is whisked."}]},
        ],
    }  # fmt: skip
    step = {
        "step_details": {
            "type": "tool_calls",
            "tool_calls": [{"type": "file_search", "file_search": call}],
        }
    }
    shown = without_content(step)
    assert [set(r) for r in shown["step_details"]["tool_calls"][0]["file_search"]["results"]] == [
        {"file_id", "file_name", "score"}
    ] * 2
    assert "content" in call["results"][0]  # the stored step keeps it
    message = {"step_details": {"type": "message_creation"}}
    assert without_content(message) is message


def test_a_step_call_reads_back_as_the_findings_it_recorded() -> None:
    again = findings_of({"type": "file_search", "file_search": step_call(FOUND)}, 3)
    assert again == Findings(3, (), FOUND.results, FOUND.threshold)
    assert again.for_model() == FOUND.for_model().replace("【0:", "【3:")


def fake_search(queries: Sequence[str], message: int) -> Findings:
    return Findings(message, tuple(queries), (BEES,))


def test_searches_of_one_answer_are_a_call_each_numbered_after_the_earlier_ones() -> None:
    searching = Searching(fake_search, [FOUND])
    calls = tuple(FunctionCall("file_search", f'{{"queries": ["{q}"]}}') for q in ("a", "b"))
    found = searching.run(FunctionCalls(calls, 7))
    assert found is not None
    hosted, round_ = found
    assert isinstance(hosted.tool, Search)
    assert [f.message for f in hosted.tool.findings] == [1, 2]
    assert round_.calls == (
        ToolCall("call_file_search_1", "file_search", '{"queries": ["a"]}'),
        ToolCall("call_file_search_2", "file_search", '{"queries": ["b"]}'),
    )
    # The earlier search does not count against this turn's limit.
    for _ in range(MAX_SEARCHES - 2):
        assert searching.tools() != []
        searching.run(FunctionCalls(calls[:1], 0))
    assert searching.tools() == []
