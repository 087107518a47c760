"""Threads and messages over HTTP."""

from __future__ import annotations

from typing import Any

from stores import BOTH_STORES

EPOCH = 1767225600


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": {"value": value, "annotations": []}}


@BOTH_STORES
def test_create_thread_with_messages(api: Any) -> None:
    thread = api.ok(
        "POST",
        "/threads",
        {"messages": [{"role": "user", "content": "Hello"}], "metadata": {"topic": "greeting"}},
    )
    assert thread == {
        "id": thread["id"],
        "object": "thread",
        "created_at": EPOCH,
        "tool_resources": {},
        "metadata": {"topic": "greeting"},
    }
    listing = api.ok("GET", f"/threads/{thread['id']}/messages")
    (message,) = listing["data"]
    assert message == {
        "id": message["id"],
        "object": "thread.message",
        "created_at": EPOCH + 1,
        "assistant_id": None,
        "thread_id": thread["id"],
        "run_id": None,
        "role": "user",
        "content": [text("Hello")],
        "attachments": [],
        "metadata": {},
        "status": "completed",
        "incomplete_details": None,
        "completed_at": None,
        "incomplete_at": None,
    }


def test_message_content_parts_and_attachments(api: Any) -> None:
    file = api.upload("a.txt", b"abc").body
    thread = api.ok("POST", "/threads")
    parts = [
        {"type": "text", "text": "Look"},
        {"type": "image_file", "image_file": {"file_id": file["id"]}},
    ]
    attachments = [{"file_id": file["id"], "tools": [{"type": "file_search"}]}]
    message = api.ok(
        "POST",
        f"/threads/{thread['id']}/messages",
        {"role": "user", "content": parts, "attachments": attachments},
    )
    assert message["content"] == [text("Look"), parts[1]]
    assert message["attachments"] == attachments


@BOTH_STORES
def test_message_update_delete_and_404(api: Any, err: Any) -> None:
    thread = api.ok("POST", "/threads")
    base = f"/threads/{thread['id']}/messages"
    message = api.ok("POST", base, {"role": "assistant", "content": "Hi", "metadata": {"a": "1"}})
    updated = api.ok("POST", f"{base}/{message['id']}", {"metadata": {"b": "2"}})
    assert updated == {**message, "metadata": {"b": "2"}}
    refused = api.post(f"{base}/{message['id']}", {"content": "changed"})
    assert refused.status == 400 and refused.body["error"]["param"] == "content"
    assert api.delete(f"{base}/{message['id']}").body == {
        "id": message["id"],
        "object": "thread.message.deleted",
        "deleted": True,
    }
    missing = api.get(f"{base}/{message['id']}")
    assert (missing.status, missing.body) == (
        404,
        err(f"No message found with id '{message['id']}'."),
    )


def test_message_validation(api: Any, err: Any) -> None:
    thread = api.ok("POST", "/threads")
    base = f"/threads/{thread['id']}/messages"
    role = api.post(base, {"role": "system", "content": "x"})
    assert role.body == err(
        "Invalid value: 'system'. Supported values are: 'user' and 'assistant'.",
        "role",
        "invalid_value",
    )
    missing = api.post(base, {"role": "user"})
    assert missing.body == err(
        "Missing required parameter: 'content'.", "content", "missing_required_parameter"
    )
    attachment = api.post(
        base, {"role": "user", "content": "x", "attachments": [{"file_id": "file-nope"}]}
    )
    assert attachment.status == 400
    assert attachment.body == err(
        "No file found with id 'file-nope'.", "attachments[0].file_id", "invalid_value"
    )
    nested = api.post("/threads", {"messages": [{"role": "user", "content": 5}]})
    assert nested.status == 400 and nested.body["error"]["param"] == "messages[0].content"


@BOTH_STORES
def test_thread_update_delete_cascade(api: Any, err: Any) -> None:
    thread = api.ok("POST", "/threads", {"messages": [{"role": "user", "content": "x"}]})
    path = f"/threads/{thread['id']}"
    assert api.ok("POST", path, {"metadata": {"k": "v"}}) == {**thread, "metadata": {"k": "v"}}
    assert api.delete(path).body == {
        "id": thread["id"],
        "object": "thread.deleted",
        "deleted": True,
    }
    assert api.get(path).body == err(f"No thread found with id '{thread['id']}'.")
    assert api.get(f"{path}/messages").status == 404


def test_tool_resources_references_and_helper_stores(api: Any, err: Any) -> None:
    file = api.upload("a.txt", b"abc").body
    unknown = api.post(
        "/threads", {"tool_resources": {"file_search": {"vector_store_ids": ["vs_nope"]}}}
    )
    assert unknown.status == 400
    assert unknown.body == err(
        "No vector store found with id 'vs_nope'.",
        "tool_resources.file_search.vector_store_ids[0]",
        "invalid_value",
    )
    helper = {"file_search": {"vector_stores": [{"file_ids": [file["id"]]}]}}
    thread = api.ok("POST", "/threads", {"tool_resources": helper})
    (store_id,) = thread["tool_resources"]["file_search"]["vector_store_ids"]
    store = api.ok("GET", f"/vector_stores/{store_id}")
    assert store["file_counts"]["completed"] == 1


def test_threads_can_be_listed(api: Any) -> None:
    ids = [api.ok("POST", "/threads")["id"] for _ in range(2)]
    listing = api.using("foundry").ok("GET", "/threads", query="order=asc")
    assert [t["id"] for t in listing["data"]] == ids
