"""The Store contract on its own, for every store: orders, paging, cascades, blobs, owners."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from stores import KINDS, MakeStore, closing_factory

from asst_engine.errors import EngineError
from asst_engine.store.base import PageRequest


@pytest.fixture(params=KINDS)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeStore]:
    yield from closing_factory(request.param, tmp_path)


def obj(object_id: str, created_at: int, **fields: object) -> dict[str, object]:
    return {"id": object_id, "created_at": created_at, **fields}


def ids(found: list[dict[str, object]]) -> list[object]:
    return [item["id"] for item in found]


def test_list_keeps_storage_order_and_page_orders_by_created_at(new_store: MakeStore) -> None:
    store = new_store()
    for item in (obj("b", 2), obj("a", 1), obj("c", 2)):
        store.assistants.put(item)
    store.assistants.put(obj("b", 3))  # replacing keeps the place it was first stored in
    assert ids(store.assistants.list()) == ["b", "a", "c"]
    assert ids(store.assistants.page(PageRequest(10, "asc")).data) == ["a", "c", "b"]
    desc = store.assistants.page(PageRequest(2, "desc"))
    assert (ids(desc.data), desc.has_more) == (["b", "c"], True)
    ties = new_store()
    for name in "xyz":
        ties.threads.put(obj(name, 5))
    assert ids(ties.threads.page(PageRequest(10, "desc")).data) == ["z", "y", "x"]


def test_cursors_filters_and_unknown_cursor(new_store: MakeStore) -> None:
    store = new_store()
    for number in range(1, 6):
        store.messages.put(obj(f"m{number}", number, run_id="r" if number % 2 else None), "t")
    store.messages.put(obj("other", 9), "t2")
    after = store.messages.page(PageRequest(2, "asc", after="m1"), "t")
    assert (ids(after.data), after.has_more) == (["m2", "m3"], True)
    before = store.messages.page(PageRequest(2, "asc", before="m5"), "t")
    assert (ids(before.data), before.has_more) == (["m3", "m4"], True)
    where = store.messages.page(PageRequest(10, "asc", where={"run_id": "r"}), "t")
    assert ids(where.data) == ["m1", "m3", "m5"]
    only = store.messages.page(PageRequest(10, "asc", ids=["m4", "m2"]), "t")
    assert ids(only.data) == ["m2", "m4"]
    with pytest.raises(EngineError) as raised:
        store.messages.page(PageRequest(10, "asc", after="other"), "t")
    assert (raised.value.status, raised.value.param) == (400, "after")


def test_deleting_cascades(new_store: MakeStore) -> None:
    store = new_store()
    store.threads.put(obj("t", 1))
    store.messages.put(obj("m", 2), "t")
    store.runs.put(obj("r", 3), "t")
    store.steps.put(obj("s", 4), "r")
    store.files.put(obj("f", 5))
    store.blobs.put("f", b"data")
    store.vector_stores.put(obj("vs", 6))
    store.vector_store_files.put(obj("f", 7), "vs")
    store.file_batches.put(obj("b", 8), "vs")
    store.batch_members.put(obj("b", 8, file_ids=["f"]), "vs")
    store.threads.delete("t")
    assert (store.messages.list("t"), store.runs.list("t"), store.steps.list("r")) == ([], [], [])
    store.files.delete("f")
    assert store.blobs.get("f") is None
    store.vector_stores.delete("vs")
    kinds = (store.vector_store_files, store.file_batches, store.batch_members)
    assert [kind.list("vs") for kind in kinds] == [[], [], []]
    store.files.delete("never stored")  # absent objects are ignored


def test_a_child_id_is_scoped_by_its_parent_and_clear_forgets_all(new_store: MakeStore) -> None:
    store = new_store()
    store.vector_store_files.put(obj("file-1", 1, vector_store_id="a"), "a")
    store.vector_store_files.put(obj("file-1", 2, vector_store_id="b"), "b")
    found = store.vector_store_files.get("file-1", "b")
    assert found is not None and found["vector_store_id"] == "b"
    store.vector_store_files.delete("file-1", "a")
    assert store.vector_store_files.get("file-1", "a") is None
    assert store.vector_store_files.get("file-1", "b") == found
    store.clear()
    assert store.vector_store_files.list("b") == []


def test_blobs_stream_in_and_out_and_a_failed_write_leaves_nothing(new_store: MakeStore) -> None:
    blobs = new_store().blobs
    with blobs.writer("f") as stream:
        stream.write(b"hello ")
        stream.write(b"world")
    assert (blobs.get("f"), blobs.size("f")) == (b"hello world", 11)
    reader = blobs.reader("f")
    assert reader is not None
    with reader:
        assert reader.read() == b"hello world"
    with pytest.raises(RuntimeError), blobs.writer("f") as stream:
        stream.write(b"half")
        raise RuntimeError("upload broke")
    assert blobs.get("f") == b"hello world"
    with pytest.raises(RuntimeError), blobs.writer("g") as stream:
        raise RuntimeError("upload broke")
    assert (blobs.reader("g"), blobs.size("g")) == (None, None)


def test_an_owner_sees_and_changes_only_its_objects(new_store: MakeStore) -> None:
    store = new_store()
    with store.unit_of_work("alice"):
        store.threads.put(obj("ta", 1))
        store.messages.put(obj("ma", 2), "ta")
    with store.unit_of_work("bob"):
        store.threads.put(obj("tb", 3))
        assert ids(store.threads.list()) == ["tb"]
        assert store.threads.get("ta") is None
        assert store.messages.page(PageRequest(10), "ta").data == []
        store.threads.delete("ta")  # invisible, so untouched
    with store.unit_of_work("alice"):
        assert ids(store.threads.page(PageRequest(10)).data) == ["ta"]
        assert ids(store.messages.list("ta")) == ["ma"]
    with store.unit_of_work():
        assert ids(store.threads.list()) == ["ta", "tb"]
        store.threads.delete("ta")
    assert store.messages.list("ta") == []


def test_unscoped_writes_keep_and_inherit_owners(new_store: MakeStore) -> None:
    store = new_store()
    with store.unit_of_work("alice"):
        store.threads.put(obj("t", 1, status="open"))
        store.runs.put(obj("r", 2, status="queued"), "t")
    with store.unit_of_work():  # background work: no scope
        store.runs.put(obj("r", 2, status="completed"), "t")
        store.messages.put(obj("reply", 3), "t")
        store.steps.put(obj("step", 4), "r")
        store.assistants.put(obj("a", 5))
    with store.unit_of_work("alice"):
        assert store.runs.get("r", "t") == obj("r", 2, status="completed")
        assert (ids(store.messages.list("t")), ids(store.steps.list("r"))) == (["reply"], ["step"])
        assert store.assistants.list() == []
    with store.unit_of_work("bob"):
        found = [store.runs.list("t"), store.messages.list("t"), store.steps.list("r")]
        assert found == [[], [], []]


def test_owner_of_reads_a_top_level_objects_owner_whatever_the_scope(
    new_store: MakeStore,
) -> None:
    store = new_store()
    with store.unit_of_work("alice"):
        store.threads.put(obj("t", 1))
    with store.unit_of_work():
        store.assistants.put(obj("a", 2))
    with store.unit_of_work("bob"):
        found = [store.owner_of("threads", i) for i in ("t", "a", "missing")]
        assert (found, store.owner_of("assistants", "a")) == (["alice", None, None], None)
