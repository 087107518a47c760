"""file_search in model-backed runs: the tool the model sees, the search the engine runs for it,
the tool step, and the model's source markers as citations at their exact ranges."""

from __future__ import annotations

import json
from typing import Any

from asst_engine.resources import files
from asst_engine.tools.file_search import CONTENT, DEFINITION
from conftest import Server

BEES = b"Honeybees perform the waggle dance to show where flowers are.\n"
TEA = b"Matcha is whisked with a bamboo whisk.\n"


def upload(server: Server, name: str, data: bytes) -> str:
    with server.engine.lock:
        return str(files.add(server.engine, name, "assistants", data)["id"])


def searched(server: Server, thread: Any, **tool: Any) -> Any:
    """A settled run of a file_search assistant on ``thread``."""
    bees, tea = upload(server, "bees.txt", BEES), upload(server, "tea.md", TEA)
    store = server.call("POST", "/vector_stores", {"file_ids": [bees, tea]})
    assistant = server.assistant(
        tools=[{"type": "file_search", **tool}],
        tool_resources={"file_search": {"vector_store_ids": [store["id"]]}},
    )
    body = {"assistant_id": assistant["id"]}
    return server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))


def test_the_model_searches_and_its_marker_becomes_a_citation(server: Server) -> None:
    thread = server.thread("please search waggle dance")
    run = searched(server, thread)
    assert run["status"] == "completed"
    first, second = server.sent()
    assert first["tools"] == [DEFINITION]
    assert second["messages"][-2]["tool_calls"] == [
        {
            "id": "call_file_search_0",
            "type": "function",
            "function": {"name": "file_search", "arguments": '{"queries": ["waggle dance"]}'},
        }
    ]
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_file_search_0",
        "content": "【0:0†bees.txt】\n" + BEES.decode().strip(),
    }
    messages = server.call("GET", f"/threads/{thread['id']}/messages")["data"]
    text = messages[0]["content"][0]["text"]
    marker = "【0:0†bees.txt】"
    start = len("According to the files")
    named = {f["filename"]: f["id"] for f in server.call("GET", "/files")["data"]}
    bees_id = named["bees.txt"]
    assert text == {
        "value": f"According to the files{marker}.",
        "annotations": [
            {
                "type": "file_citation",
                "text": marker,
                "start_index": start,
                "end_index": start + len(marker),
                # OpenAI's schema has no quote (the Azure and Foundry dialects show it).
                "file_citation": {"file_id": bees_id},
            }
        ],
    }
    assert text["value"][start : start + len(marker)] == marker


def test_the_search_step_records_ranking_and_content_only_when_asked(server: Server) -> None:
    thread = server.thread("please search waggle dance")
    run = searched(server, thread)
    path = f"/threads/{thread['id']}/runs/{run['id']}/steps"
    named = {f["filename"]: f["id"] for f in server.call("GET", "/files")["data"]}
    tool_step = server.call("GET", path + "?order=asc")["data"][0]
    call = tool_step["step_details"]["tool_calls"][0]
    assert (tool_step["status"], call["type"]) == ("completed", "file_search")
    assert call["file_search"] == {
        "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0},
        "results": [{"file_id": named["bees.txt"], "file_name": "bees.txt", "score": 1.0}],
    }
    asked = server.call("GET", f"{path}/{tool_step['id']}?include[]={CONTENT}")
    results = asked["step_details"]["tool_calls"][0]["file_search"]["results"]
    assert results[0]["content"] == [{"type": "text", "text": BEES.decode().strip()}]
    listed = server.call("GET", f"{path}?include[]={CONTENT}")["data"]
    assert [s["type"] for s in listed] == ["message_creation", "tool_calls"]
    assert "content" in listed[1]["step_details"]["tool_calls"][0]["file_search"]["results"][0]


def test_a_streamed_run_shows_the_results_content_only_when_its_request_asks(
    server: Server,
) -> None:
    bees, tea = upload(server, "bees.txt", BEES), upload(server, "tea.md", TEA)
    store = server.call("POST", "/vector_stores", {"file_ids": [bees, tea]})
    assistant = server.assistant(
        tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store["id"]]}},
    )
    shown = {}
    for query in ("", f"?include[]={CONTENT}"):
        thread = server.thread("please search waggle dance")
        path = f"/threads/{thread['id']}/runs{query}"
        events = list(server.open_stream(path, {"assistant_id": assistant["id"]}))
        step_events = [(name, data) for name, data in events if name.startswith("thread.run.step.")]
        assert [name for name, _ in step_events] == [
            "thread.run.step.created",
            "thread.run.step.in_progress",
            "thread.run.step.completed",
            "thread.run.step.created",
            "thread.run.step.in_progress",
            "thread.run.step.completed",
        ]
        searches = [data["step_details"]["tool_calls"][0] for _, data in step_events[:3]]
        shown[query] = [
            result.get("content") for s in searches for result in s["file_search"]["results"]
        ]
    assert shown[""] == [None] * 3
    assert shown[f"?include[]={CONTENT}"] == [[{"type": "text", "text": BEES.decode().strip()}]] * 3


def test_searches_before_a_function_round_are_shown_again_and_cited_after_it(
    server: Server,
) -> None:
    bees, tea = upload(server, "bees.txt", BEES), upload(server, "tea.md", TEA)
    store = server.call("POST", "/vector_stores", {"file_ids": [bees, tea]})
    weather = {"type": "function", "function": {"name": "get_weather", "parameters": {}}}
    assistant = server.assistant(
        tools=[{"type": "file_search"}, weather],
        tool_resources={"file_search": {"vector_store_ids": [store["id"]]}},
    )
    thread = server.thread("please search waggle dance then call get_weather {}")
    body = {"assistant_id": assistant["id"]}
    run = server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))
    assert run["status"] == "requires_action"
    (call,) = run["required_action"]["submit_tool_outputs"]["tool_calls"]
    outputs = {"tool_outputs": [{"tool_call_id": call["id"], "output": "sunny"}]}
    path = f"/threads/{thread['id']}/runs/{run['id']}/submit_tool_outputs"
    assert server.settled(server.call("POST", path, outputs))["status"] == "completed"

    # The request after the outputs holds the search, then the function round, in order.
    *_, resumed = server.sent()
    asked = [m["role"] for m in resumed["messages"]].index("user")
    rounds = resumed["messages"][asked + 1 :]
    shown = [(m["role"], m.get("tool_calls"), m.get("content")) for m in rounds]
    searched = {"queries": []}  # the step keeps no queries: the results are what matters
    found = "【0:0†bees.txt】\n" + BEES.decode().strip()
    assert [(role, content) for role, _, content in shown] == [
        ("assistant", None),
        ("tool", found),
        ("assistant", None),
        ("tool", "sunny"),
    ]
    assert [c["function"] for c in shown[0][1]] == [
        {"name": "file_search", "arguments": json.dumps(searched)}
    ]
    assert [c["function"]["name"] for c in shown[2][1]] == ["get_weather"]

    # The marker of the earlier search is a citation of its file.
    text = server.call("GET", f"/threads/{thread['id']}/messages")["data"][0]["content"][0]
    marker = "【0:0†bees.txt】"
    assert text["text"]["value"] == (
        f"According to the files{marker}. Tool outputs: get_weather returned 'sunny'"
    )
    (note,) = text["text"]["annotations"]
    assert (note["type"], note["text"], note["file_citation"]) == (
        "file_citation",
        marker,
        {"file_id": bees},
    )


def test_max_num_results_and_the_threshold_hold(server: Server) -> None:
    thread = server.thread("please search whisk waggle")
    run = searched(server, thread, file_search={"max_num_results": 1})
    path = f"/threads/{thread['id']}/runs/{run['id']}/steps?order=asc"
    call = server.call("GET", path)["data"][0]["step_details"]["tool_calls"][0]
    assert [r["file_name"] for r in call["file_search"]["results"]] == ["tea.md"]
    assert "【0:1†" not in server.sent()[1]["messages"][-1]["content"]


def test_nothing_found_is_said_and_cites_nothing(server: Server) -> None:
    thread = server.thread("please search volcanoes")
    searched(server, thread)
    assert server.sent()[1]["messages"][-1]["content"] == "No results found."
    text = server.call("GET", f"/threads/{thread['id']}/messages")["data"][0]["content"][0]
    assert text["text"] == {"value": "Nothing was found.", "annotations": []}


def test_files_attached_to_the_thread_are_searched(server: Server) -> None:
    notes = upload(server, "notes.txt", b"The lighthouse keeper trims the lamp at dusk.\n")
    attachment = {"file_id": notes, "tools": [{"type": "file_search"}]}
    message = {"role": "user", "content": "please search lighthouse", "attachments": [attachment]}
    thread = server.call("POST", "/threads", {"messages": [message]})
    assistant = server.assistant(tools=[{"type": "file_search"}])
    body = {"assistant_id": assistant["id"]}
    run = server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))
    assert run["status"] == "completed"
    text = server.call("GET", f"/threads/{thread['id']}/messages")["data"][0]["content"][0]
    assert text["text"]["value"] == "According to the files【0:0†notes.txt】."
    assert text["text"]["annotations"][0]["file_citation"]["file_id"] == notes


def test_attachments_for_other_tools_or_without_text_are_not_searched(server: Server) -> None:
    data = upload(server, "lighthouse.csv", b"lighthouse,keeper\n")
    image = upload(server, "lighthouse.png", b"\x89PNG lighthouse")
    attachments = [
        {"file_id": data, "tools": [{"type": "code_interpreter"}]},
        {"file_id": image, "tools": [{"type": "file_search"}]},
    ]
    message = {"role": "user", "content": "please search lighthouse", "attachments": attachments}
    thread = server.call("POST", "/threads", {"messages": [message]})
    assistant = server.assistant(tools=[{"type": "file_search"}])
    body = {"assistant_id": assistant["id"]}
    server.settled(server.call("POST", f"/threads/{thread['id']}/runs", body))
    assert server.sent()[1]["messages"][-1]["content"] == "No results found."
