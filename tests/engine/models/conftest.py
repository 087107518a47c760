"""A fake chat-completions server on loopback, shared by the model tests and emptied per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from asst_engine.testing.fake_model import FakeModel

KEY = "sk-fake-model-key-0001"


@pytest.fixture(scope="session")
def fake_server() -> Iterator[FakeModel]:
    with FakeModel(api_key=KEY) as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeModel) -> FakeModel:
    fake_server.clear()
    return fake_server
