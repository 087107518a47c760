"""openai-python's streaming helpers against the worker and the model over a loopback server:
its tool-call and text callbacks fire as the model's pieces arrive."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from openai import OpenAI

from asst_engine import serve
from conftest import Server

from sdk_flows import REPLY_SEEN, TOOL_CALL_SEEN, streamed_tool_round

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def client(server: Server) -> Iterator[OpenAI]:
    http = serve(engine=server.engine)
    try:
        with OpenAI(base_url=f"{http.url}/v1", api_key="sk-test", max_retries=0) as sdk:
            yield sdk
    finally:
        http.stop()


def test_tool_call_and_text_callbacks_fire_piece_by_piece(client: OpenAI) -> None:
    assert streamed_tool_round(client) == (TOOL_CALL_SEEN, REPLY_SEEN, "completed")
