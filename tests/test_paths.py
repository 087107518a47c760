"""Protocol paths: every id is one escaped segment."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from asst_cli import paths
from asst_cli.errors import UsageError


def test_ids_are_escaped_into_one_segment_each() -> None:
    assert paths.step("t/1", "r?x=1", "s#2") == "/threads/t%2F1/runs/r%3Fx%3D1/steps/s%232"
    assert paths.store_file(" vs 1 ", "file&a") == "/vector_stores/vs%201/files/file%26a"
    assert (
        paths.cancel(paths.batch("vs_1", "%2E")) == "/vector_stores/vs_1/file_batches/%252E/cancel"
    )


@pytest.mark.parametrize(
    ("build", "value", "message"),
    [
        (paths.assistant, "", "the assistant id is empty"),
        (paths.file, " ", "the file id is empty"),
        (paths.messages, "..", "'..' is not a thread id"),
        (paths.vector_store, " . ", "'.' is not a vector store id"),
    ],
)
def test_ids_that_would_move_the_path_are_refused(
    build: Callable[[str], str], value: str, message: str
) -> None:
    with pytest.raises(UsageError) as raised:
        build(value)
    assert str(raised.value) == message
