"""The SQLite store beyond the shared contract: persistence, units of work, schema, blobs."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from asst_engine.store.base import PageRequest, StoreError
from asst_engine.store.datadir import resolve_data_dir
from asst_engine.store.schema import VERSION
from asst_engine.store.sqlite import SqliteStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore.open(tmp_path)
    yield opened
    opened.close()


def ids(found: list[dict[str, object]]) -> list[object]:
    return [item["id"] for item in found]


def test_objects_and_bytes_outlive_the_store(tmp_path: Path) -> None:
    first = SqliteStore.open(tmp_path)
    with first.unit_of_work():
        for name, created in (("b", 2), ("a", 1), ("c", 2)):
            first.assistants.put({"id": name, "created_at": created, "name": f"é {name}"})
        first.messages.put({"id": "m", "created_at": 3, "content": [{"text": "hi"}]}, "t")
        first.files.put({"id": "file-1", "created_at": 4})
        first.blobs.put("file-1", b"\x00bytes")
    first.close()
    again = SqliteStore.open(tmp_path)
    assert ids(again.assistants.list()) == ["b", "a", "c"]
    assert ids(again.assistants.page(PageRequest(10, "desc")).data) == ["c", "b", "a"]
    assert again.assistants.get("a") == {"id": "a", "created_at": 1, "name": "é a"}
    assert again.messages.list("t") == [{"id": "m", "created_at": 3, "content": [{"text": "hi"}]}]
    assert (again.blobs.get("file-1"), again.blobs.size("file-1")) == (b"\x00bytes", 6)
    again.close()


def test_changes_in_place_are_saved_at_commit(store: SqliteStore, tmp_path: Path) -> None:
    store.runs.put({"id": "r", "created_at": 1, "status": "queued"}, "t")
    with store.unit_of_work():
        run = store.runs.get("r", "t")
        assert run is not None and store.runs.list("t")[0] is run  # one object per row
        run["status"] = "completed"
        # A filter on a field sees the change before the commit.
        page = store.runs.page(PageRequest(10, where={"status": "completed"}), "t")
        assert page.data == [run]
    reopened = SqliteStore.open(tmp_path)
    assert reopened.runs.get("r", "t") == {"id": "r", "created_at": 1, "status": "completed"}
    reopened.close()


def test_a_failed_unit_of_work_changes_nothing(store: SqliteStore) -> None:
    store.files.put({"id": "file-old", "created_at": 1})
    store.blobs.put("file-old", b"old")
    with pytest.raises(RuntimeError), store.unit_of_work():
        found = store.files.get("file-old")
        assert found is not None
        found["filename"] = "renamed"
        store.files.delete("file-old")
        assert store.blobs.get("file-old") is None  # gone for this unit of work already
        store.files.put({"id": "file-new", "created_at": 2})
        with store.blobs.writer("file-new") as stream:
            stream.write(b"new")
        raise RuntimeError("the handler failed")
    assert store.files.list() == [{"id": "file-old", "created_at": 1}]
    assert (store.blobs.get("file-old"), store.blobs.get("file-new")) == (b"old", None)


def test_units_of_work_in_threads_do_not_lose_updates(store: SqliteStore) -> None:
    store.threads.put({"id": "t", "created_at": 1, "count": 0})

    def bump() -> None:
        for _ in range(25):
            with store.unit_of_work():
                thread = store.threads.get("t")
                assert thread is not None
                thread["count"] += 1

    workers = [threading.Thread(target=bump) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert store.threads.get("t") == {"id": "t", "created_at": 1, "count": 100}


def test_a_version_1_database_is_migrated(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "asst.db") as connection:
        connection.executescript(
            "CREATE TABLE objects (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,"
            " parent TEXT NOT NULL, id TEXT NOT NULL, created_at INTEGER NOT NULL,"
            " json TEXT NOT NULL, UNIQUE (kind, parent, id));"
            "CREATE INDEX objects_order ON objects (kind, parent, created_at, seq);"
            "INSERT INTO objects (kind, parent, id, created_at, json)"
            """ VALUES ('assistants', '', 'asst_1', 5, '{"id":"asst_1","created_at":5}');"""
            "PRAGMA user_version = 1;"
        )
    connection.close()
    store = SqliteStore.open(tmp_path)
    assert store.assistants.list() == [{"id": "asst_1", "created_at": 5}]
    with store.unit_of_work("alice"):
        assert store.assistants.list() == []  # stored before owners: unscoped only
        store.assistants.put({"id": "asst_2", "created_at": 6})
    assert ids(store.assistants.list()) == ["asst_1", "asst_2"]
    store.close()
    with sqlite3.connect(tmp_path / "asst.db") as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (VERSION,)
    connection.close()


def test_a_newer_or_foreign_database_is_refused_in_one_line(tmp_path: Path) -> None:
    database = tmp_path / "asst.db"
    with sqlite3.connect(database) as connection:
        connection.execute(f"PRAGMA user_version = {VERSION + 1}")
    connection.close()
    with pytest.raises(StoreError) as newer:
        SqliteStore.open(tmp_path)
    assert str(newer.value) == (
        f"{database} has schema version {VERSION + 1}, newer than this asst knows ({VERSION});"
        " upgrade asst or use another --data-dir"
    )
    database.write_bytes(b"not a database at all, just some text" * 100)
    with pytest.raises(StoreError) as foreign:
        SqliteStore.open(tmp_path)
    assert str(foreign.value) == (
        f"cannot open {database}: file is not a database; use another --data-dir"
    )


def test_opening_drops_unfinished_and_orphaned_blobs(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path)
    store.files.put({"id": "file-kept", "created_at": 1})
    for key in ("file-kept", "file-orphan"):
        store.blobs.put(key, key.encode())
    store.close()
    (tmp_path / "blobs" / "tmp" / "tmpabc").write_bytes(b"half an upload")
    again = SqliteStore.open(tmp_path)
    assert (again.blobs.get("file-kept"), again.blobs.get("file-orphan")) == (b"file-kept", None)
    assert list((tmp_path / "blobs" / "tmp").iterdir()) == []
    assert sorted(again.disk.keys()) == ["file-kept"]
    again.close()


def test_a_closed_store_says_so(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path)
    store.close()
    with pytest.raises(StoreError) as closed:
        store.threads.list()
    assert str(closed.value) == f"the store at {tmp_path / 'asst.db'} is closed"


def test_blob_keys_cannot_leave_the_blob_directory(store: SqliteStore) -> None:
    with pytest.raises(ValueError) as bad:
        store.blobs.put("../escape", b"x")
    assert str(bad.value) == "invalid blob key '../escape': use letters, digits, '.', '_', '-'"


def test_data_dir_order_and_privacy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_dir", lambda name: str(tmp_path / "pd" / name))
    env = {"ASST_DATA_DIR": str(tmp_path / "env")}
    assert resolve_data_dir(tmp_path / "opt", env) == tmp_path / "opt"
    assert resolve_data_dir(None, env) == tmp_path / "env"
    assert resolve_data_dir("", {}) == tmp_path / "pd" / "asst"
    assert [(tmp_path / name).stat().st_mode & 0o777 for name in ("opt", "env")] == [0o700] * 2
    (tmp_path / "taken").write_text("a file")
    with pytest.raises(StoreError) as taken:
        resolve_data_dir(tmp_path / "taken", {})
    assert (
        str(taken.value)
        == f"data dir {tmp_path / 'taken'} is not a directory; pass another --data-dir"
    )
