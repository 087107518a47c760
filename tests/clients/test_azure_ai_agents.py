"""azure-ai-agents, unpatched, runs its own agent flows against the server's Foundry dialect.

TLS, not the opt-out: azure-core's ``BearerTokenCredentialPolicy`` refuses to send a token to a
non-https URL (``_enforce_https``: "Bearer token authentication is not permitted for non-TLS
protected (non-https) URLs."). Its documented opt-out is the per-request keyword
``enforce_https=False``, but it only reaches the request it is passed to: the SDK's own helpers
(``runs.create_and_process`` polling with ``runs.get``, ``runs.stream`` submitting tool outputs)
send follow-up requests without it, so those flows would fail on the policy, not on the server.
So the ``tls_url`` fixture's server serves https itself (``asst serve --tls-cert --tls-key``)
with a certificate from a throw-away authority (trustme), handed to the client as
``connection_verify``. The client then runs exactly as against Foundry, with no keyword added.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from azure.ai.agents import AgentsClient
from azure.ai.agents.models import (
    AgentEventHandler,
    FilePurpose,
    FileSearchTool,
    FunctionTool,
    ListSortOrder,
    MessageDeltaChunk,
    MessageRole,
    RunStep,
    ThreadMessage,
    ThreadRun,
    ToolSet,
)
from azure.core.credentials import AccessToken

PROJECT = "conformance"
# A fixed expiry far ahead: the client never needs to ask for a new token during a test.
EXPIRES_ON = 4102444800  # 2100-01-01


class StaticToken:
    """A ``TokenCredential`` that always hands out the same bearer token."""

    def get_token(
        self,
        *scopes: str,
        claims: str | None = None,
        tenant_id: str | None = None,
        enable_cae: bool = False,
        **kwargs: Any,
    ) -> AccessToken:
        return AccessToken("entra-token", EXPIRES_ON)


def get_weather(city: str) -> str:
    """The weather in a city.

    :param city: The city's name.
    :return: The weather, as JSON.
    """
    return json.dumps({"city": city, "weather": "sunny"})


def plain(value: object) -> str:
    """An enum member as its wire value ("completed", not "RunStatus.COMPLETED")."""
    return str(value.value if isinstance(value, Enum) else value)


def shaped(prefix: str, value: str) -> bool:
    return re.fullmatch(re.escape(prefix) + r"[A-Za-z0-9]{8,}", value) is not None


@pytest.fixture
def client(tls_url: Any) -> Iterator[AgentsClient]:
    with AgentsClient(
        endpoint=f"{tls_url.url}/api/projects/{PROJECT}",
        credential=StaticToken(),
        connection_verify=str(tls_url.ca_file),
        retry_total=0,
    ) as agents:
        yield agents


def weather_tools(client: AgentsClient) -> ToolSet:
    """A toolset with ``get_weather``, which the client then calls by itself when asked to."""
    toolset = ToolSet()
    toolset.add(FunctionTool({get_weather}))
    client.enable_auto_function_calls(toolset)
    return toolset


def conversation(client: AgentsClient, thread_id: str) -> list[tuple[str, str]]:
    listed = client.messages.list(thread_id=thread_id, order=ListSortOrder.ASCENDING)
    return [(plain(m.role), m.text_messages[-1].text.value) for m in listed]


def test_create_agent_and_process_run(client: AgentsClient) -> None:
    agent = client.create_agent(model="gpt-4o", name="helper", instructions="Be brief.")
    thread = client.threads.create()
    client.messages.create(thread_id=thread.id, role="user", content="hello agents")

    run = client.runs.create_and_process(thread_id=thread.id, agent_id=agent.id, polling_interval=0)

    assert (plain(run.status), run.thread_id, run.agent_id) == ("completed", thread.id, agent.id)
    assert shaped("asst_", agent.id) and shaped("thread_", thread.id) and shaped("run_", run.id)
    assert (agent.name, agent.instructions) == ("helper", "Be brief.")
    assert conversation(client, thread.id) == [
        ("user", "hello agents"),
        ("assistant", "You said: hello agents"),
    ]


def test_function_tool_calls_in_create_and_process(client: AgentsClient) -> None:
    agent = client.create_agent(model="gpt-4o", toolset=weather_tools(client))
    thread = client.threads.create()
    client.messages.create(
        thread_id=thread.id, role="user", content='call get_weather {"city": "Paris"}'
    )

    run = client.runs.create_and_process(thread_id=thread.id, agent_id=agent.id, polling_interval=0)

    assert plain(run.status) == "completed"
    assert conversation(client, thread.id)[-1] == (
        "assistant",
        """Tool outputs: get_weather returned '{"city": "Paris", "weather": "sunny"}'""",
    )
    steps = list(client.run_steps.list(thread_id=thread.id, run_id=run.id, order="asc"))
    assert [(plain(s.type), plain(s.status)) for s in steps] == [
        ("tool_calls", "completed"),
        ("message_creation", "completed"),
    ]


class Recorder(AgentEventHandler[str]):
    """Writes down what the stream tells the handler, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def on_thread_run(self, run: ThreadRun) -> None:
        self.seen.append(f"run {plain(run.status)}")

    def on_run_step(self, step: RunStep) -> None:
        self.seen.append(f"step {plain(step.type)} {plain(step.status)}")

    def on_thread_message(self, message: ThreadMessage) -> None:
        self.seen.append(f"message {plain(message.status)}")

    def on_message_delta(self, delta: MessageDeltaChunk) -> None:
        self.seen.append(f"delta {delta.text!r}")

    def on_done(self) -> None:
        self.seen.append("done")


def test_runs_stream_with_event_handler(client: AgentsClient) -> None:
    agent = client.create_agent(model="gpt-4o")
    thread = client.threads.create()
    client.messages.create(thread_id=thread.id, role="user", content="stream it")

    with client.runs.stream(
        thread_id=thread.id, agent_id=agent.id, event_handler=Recorder()
    ) as stream:
        stream.until_done()

    assert stream.seen == [
        "run queued",
        "run queued",
        "run in_progress",
        "step message_creation in_progress",
        "step message_creation in_progress",
        "message in_progress",
        "message in_progress",
        "delta 'You'",
        "delta ' said:'",
        "delta ' stream'",
        "delta ' it'",
        "message completed",
        "step message_creation completed",
        "run completed",
        "done",
    ]


def test_runs_stream_calls_function_tools(client: AgentsClient) -> None:
    agent = client.create_agent(model="gpt-4o", toolset=weather_tools(client))
    thread = client.threads.create()
    client.messages.create(
        thread_id=thread.id, role="user", content='call get_weather {"city": "Oslo"}'
    )

    with client.runs.stream(
        thread_id=thread.id, agent_id=agent.id, event_handler=Recorder()
    ) as stream:
        stream.until_done()

    runs = [seen for seen in stream.seen if seen.startswith("run ")]
    assert runs == ["run queued", "run queued", "run in_progress", "run requires_action",
                    "run queued", "run in_progress", "run completed"]  # fmt: skip
    assert conversation(client, thread.id)[-1] == (
        "assistant",
        """Tool outputs: get_weather returned '{"city": "Oslo", "weather": "sunny"}'""",
    )


def test_file_search_cites_an_uploaded_file(client: AgentsClient, tmp_path: Path) -> None:
    facts = tmp_path / "facts.txt"
    facts.write_bytes(b"The capital of France is Paris.\n")
    uploaded = client.files.upload_and_poll(
        file_path=str(facts), purpose=FilePurpose.AGENTS, polling_interval=0
    )
    store = client.vector_stores.create_and_poll(
        file_ids=[uploaded.id], name="facts", polling_interval=0
    )
    search = FileSearchTool(vector_store_ids=[store.id])
    agent = client.create_agent(
        model="gpt-4o", tools=search.definitions, tool_resources=search.resources
    )
    thread = client.threads.create()
    client.messages.create(
        thread_id=thread.id, role="user", content="please search the capital of France"
    )

    run = client.runs.create_and_process(thread_id=thread.id, agent_id=agent.id, polling_interval=0)

    assert (plain(run.status), plain(store.status)) == ("completed", "completed")
    assert shaped("file-", uploaded.id) and shaped("vs_", store.id)
    reply = client.messages.get_last_message_by_role(thread_id=thread.id, role=MessageRole.AGENT)
    assert reply is not None
    assert reply.text_messages[-1].text.value == ("According to the files【0:0†facts.txt】.")
    assert [(a.text, a.file_citation.file_id) for a in reply.file_citation_annotations] == [
        ("【0:0†facts.txt】", uploaded.id)
    ]


def test_list_agents_pages_through_every_agent(client: AgentsClient) -> None:
    for old in list(client.list_agents(limit=100)):
        client.delete_agent(old.id)
    made = [client.create_agent(model="gpt-4o", name=f"agent {i}").id for i in range(5)]

    pages = [[a.id for a in page] for page in client.list_agents(limit=2).by_page()]

    # The SDK pages on while a page has a last_id (it does not read has_more), so the last
    # page it asks for is the empty one after the oldest agent, as against Foundry.
    assert pages == [made[4:2:-1], made[2:0:-1], made[:1], []]


def test_upload_bytes_with_a_filename(client: AgentsClient) -> None:
    uploaded = client.files.upload(
        file=b"plain bytes\n", filename="named.txt", purpose=FilePurpose.AGENTS
    )

    assert (uploaded.filename, uploaded.bytes) == ("named.txt", 12)
    assert b"".join(client.files.get_content(uploaded.id)) == b"plain bytes\n"
