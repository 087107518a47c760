"""asst diff: live objects against their definitions; exit 0 none, 1 differences, 2+ an error."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness import FakeServer, Recorder, Runner

SET = """\
kind: vector_store
name: docs
files: [docs/intro.md, docs/faq.md]
metadata: {team: docs}
---
kind: assistant
name: bot
model: gpt-4o
instructions: |
  Answer from the handbook.
  Cite the page.
tools: [file_search]
tool_resources:
  file_search:
    vector_stores: [docs]
"""


def write(path: str, text: str) -> None:
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text)


def applied(cli: Runner) -> tuple[str, str]:
    write("defs/docs/intro.md", "# Intro\n")
    write("defs/docs/faq.md", "Q?\nA.\n")
    write("defs/set.yaml", SET)
    result = cli("apply", "-f", "defs", "-o", "json")
    assert result.exit_code == 0, result.stderr
    store, bot = (item["id"] for item in result.json())
    return store, bot


def requests(recorder: Recorder, start: int = 0) -> list[str]:
    return [
        f"{r.method} {re.sub(r'^/(v1|openai|api/projects/[^/]+)', '', r.path)}"
        for r in recorder.requests[start:]
    ]


def test_no_differences_exit_0(cli: Runner, cassette: Recorder) -> None:
    store, _ = applied(cli)
    result = cli("diff", "-f", "defs")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    assert requests(cassette, 6) == [
        "GET /assistants",
        "GET /vector_stores",
        f"GET /vector_stores/{store}/files",
    ]


def created_files(recorder: Recorder) -> list[str]:
    store = next(
        r for r in recorder.requests if r.method == "POST" and r.path.endswith("/vector_stores")
    )
    ids: list[str] = json.loads(store.body)["file_ids"]
    return ids


def test_differences_exit_1_with_a_unified_diff_per_object(cli: Runner, cassette: Recorder) -> None:
    store, bot = applied(cli)
    _, faq = created_files(cassette)
    write("defs/docs/faq.md", "Q?\nA, revised.\n")
    write("defs/set.yaml", SET.replace("Cite the page.", "Cite the page and section.")
          + "---\nkind: assistant\nname: new\nmodel: gpt-4o\nmetadata: {team: b}\n")  # fmt: skip
    result = cli("diff", "-f", "defs")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        f"--- vector_store/docs (live {store})\n"
        "+++ vector_store/docs (definition)\n"
        "@@ -1,8 +1,8 @@\n"
        " kind: vector_store\n"
        " name: docs\n"
        " files:\n"
        "+- docs/faq.md\n"
        " - docs/intro.md\n"
        f"-- {faq}\n"
        " metadata:\n"
        "   asst-name: docs\n"
        "   team: docs\n"
        f"--- assistant/bot (live {bot})\n"
        "+++ assistant/bot (definition)\n"
        "@@ -3,7 +3,7 @@\n"
        " model: gpt-4o\n"
        " instructions: |\n"
        "   Answer from the handbook.\n"
        "-  Cite the page.\n"
        "+  Cite the page and section.\n"
        " tools:\n"
        " - file_search\n"
        " tool_resources:\n"
        "--- assistant/new (not on the server)\n"
        "+++ assistant/new (definition)\n"
        "@@ -0,0 +1,6 @@\n"
        "+kind: assistant\n"
        "+name: new\n"
        "+model: gpt-4o\n"
        "+metadata:\n"
        "+  asst-name: new\n"
        "+  team: b\n"
    )
    assert {call.split()[0] for call in requests(cassette, 6)} == {"GET"}


def test_data_formats_give_one_object_per_difference(cli: Runner, cassette: Recorder) -> None:
    _, bot = applied(cli)
    write("defs/set.yaml", SET.replace("Cite the page.", "Cite the page and section."))
    result = cli("diff", "-f", "defs", "-o", "json")
    assert (result.exit_code, result.stderr) == (1, "")
    [found] = result.json()
    assert {key: found[key] for key in ("kind", "name", "action", "id", "changes")} == {
        "kind": "assistant",
        "name": "bot",
        "action": "update",
        "id": bot,
        "changes": ["instructions"],
    }
    assert found["live"]["instructions"] == "Answer from the handbook.\nCite the page.\n"
    assert found["definition"]["instructions"] == (
        "Answer from the handbook.\nCite the page and section.\n"
    )
    tsv = cli("diff", "-f", "defs", "-o", "tsv")
    assert (tsv.exit_code, tsv.stdout) == (1, f"assistant\tbot\tupdate\t{bot}\tinstructions\n")
    write("defs/set.yaml", SET)
    same = cli("diff", "-f", "defs", "-o", "json")
    assert (same.exit_code, same.stdout, same.stderr) == (0, "[]\n", "")


def test_prune_shows_what_would_be_deleted(cli: Runner, cassette: Recorder) -> None:
    write(
        "a.yaml",
        "kind: assistant\nname: a\nmodel: gpt-4o\n---\nkind: assistant\nname: old\nmodel: gpt-4o\n",
    )
    result = cli("apply", "-f", "a.yaml", "-o", "id")
    _, old = result.stdout.split()
    write("a.yaml", "kind: assistant\nname: a\nmodel: gpt-4o\n")
    assert cli("diff", "-f", "a.yaml").exit_code == 0
    pruned = cli("diff", "-f", "a.yaml", "--prune")
    assert (pruned.exit_code, pruned.stderr) == (1, "")
    assert pruned.stdout == (
        f"--- assistant/old (live {old})\n"
        "+++ assistant/old (pruned)\n"
        "@@ -1,5 +0,0 @@\n"
        "-kind: assistant\n"
        "-name: old\n"
        "-model: gpt-4o\n"
        "-metadata:\n"
        "-  asst-name: old\n"
    )


# -- errors exit 2 or more, never 1 ------------------------------------------------------------


def test_two_live_objects_with_one_identity_exit_2(cli: Runner, cassette: Recorder) -> None:
    for name in ("one", "two"):
        made = cli("vector-stores", "create", "--name", name, "-m", "asst-name=docs", "-o", "id")
        assert made.exit_code == 0
    write("docs.yaml", "kind: vector_store\nname: docs\n")
    result = cli("diff", "-f", "docs.yaml")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(
        "Error: several vector stores carry asst-name=docs with different content: vs_"
    )
    assert "(keep one, e.g. the oldest: asst vector-stores delete vs_" in result.stderr


def test_twins_asst_left_are_settled_by_diff(cli: Runner, cassette: Recorder) -> None:
    made = [
        cli("vector-stores", "create", "--name", "docs", "-m", "asst-name=docs", "-o", "id")
        for _ in range(2)
    ]
    first, second = (m.stdout.strip() for m in made)
    write("docs.yaml", "kind: vector_store\nname: docs\n")
    result = cli("diff", "-f", "docs.yaml")
    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        f"Deleted {second}: a newer twin of {first} (asst-name=docs, same definition), left by a "
        "lost answer or two applies at once\n"
    )
    assert cli("vector-stores", "list", "-o", "id").stdout == f"{first}\n"


def test_a_rejected_credential_exits_4(
    cli: Runner, cassette: Recorder, rejected_credential: None
) -> None:
    write("a.yaml", "kind: assistant\nname: a\nmodel: gpt-4o\n")
    result = cli("diff", "-f", "a.yaml")
    assert (result.exit_code, result.stdout) == (4, "")
    assert result.stderr.startswith("Error: Incorrect API key provided: rejected")


def test_a_server_refusal_exits_2_not_1(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    from asst_cli import errors

    refusal = errors.from_status(400, {"error": {"message": "Invalid limit."}}, "Bad Request")
    FakeServer(monkeypatch, lists={"/assistants": refusal})
    write("a.yaml", "kind: assistant\nname: a\nmodel: gpt-4o\n")
    result = cli("diff", "-f", "a.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", "Error: Invalid limit\n")
    assert cli("apply", "-f", "a.yaml").exit_code == 1  # apply keeps the usual mapping


# -- what servers add is not a difference ------------------------------------------------------

DEFINITION = """kind: assistant
name: bot
model: gpt-4o
instructions: Be brief.
tools:
  - file_search
  - type: function
    function: {name: ping}
  - type: function
    function:
      name: add
      parameters: {type: object, properties: {a: {type: number}}, required: [a]}
tool_resources: {file_search: {vector_store_ids: [vs_kept]}}
"""
FUNCTION = {
    "name": "add",
    "parameters": {"required": ["a"], "properties": {"a": {"type": "number"}}, "type": "object"},
}
LIVE: dict[str, Any] = {
    "id": "asst_abc123",
    "object": "assistant",
    "created_at": 1767225600,
    "name": "bot",
    "model": "gpt-4o",
    "instructions": "Be brief.",
    "metadata": {"asst-name": "bot"},
    "tool_resources": {"file_search": {"vector_store_ids": ["vs_kept"]}},
}
OPENAI_TOOLS = [
    {
        "type": "file_search",
        "file_search": {
            "ranking_options": {"ranker": "default_2024_08_21", "score_threshold": 0.0}
        },
    },
    {
        "type": "function",
        "function": {"name": "ping", "description": "", "parameters": {}, "strict": False},
    },
    {"type": "function", "function": {**FUNCTION, "strict": False}},
]
AZURE_TOOLS = [
    {"type": "file_search", "file_search": {"max_num_results": 20}},
    {
        "type": "function",
        "function": {
            "name": "ping",
            "description": "",
            "parameters": {"type": "object", "properties": {}},
        },
    },
    {"type": "function", "function": {**FUNCTION, "description": ""}},
]


@pytest.mark.parametrize(
    "live",
    [
        {**LIVE, "description": None, "tools": OPENAI_TOOLS, "temperature": 1.0, "top_p": 1.0,
         "response_format": "auto", "tool_resources": {"code_interpreter": {"file_ids": []}, **LIVE["tool_resources"]}},
        {**LIVE, "description": "", "tools": AZURE_TOOLS, "temperature": 1, "top_p": 1, "response_format": None},
        {**LIVE, "tools": AZURE_TOOLS, "response_format": {"type": "auto"}, "metadata": {"asst-files": "", "asst-name": "bot"}},
    ],
    ids=["openai-style", "azure-style", "foundry-style"],
)  # fmt: skip
def test_what_servers_fill_in_is_no_difference(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, live: dict[str, Any]
) -> None:
    FakeServer(monkeypatch, lists={"/assistants": [live]})
    write("bot.yaml", DEFINITION)
    result = cli("diff", "-f", "bot.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_a_server_default_the_definition_sets_is_a_difference(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeServer(monkeypatch, lists={"/assistants": [{**LIVE, "tools": AZURE_TOOLS}]})
    write(
        "bot.yaml",
        DEFINITION.replace(
            "  - file_search\n", "  - {type: file_search, file_search: {max_num_results: 5}}\n"
        ),
    )
    result = cli("diff", "-f", "bot.yaml")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        "--- assistant/bot (live asst_abc123)\n"
        "+++ assistant/bot (definition)\n"
        "@@ -5,7 +5,7 @@\n"
        " tools:\n"
        " - type: file_search\n"
        "   file_search:\n"
        "-    max_num_results: 20\n"
        "+    max_num_results: 5\n"
        " - type: function\n"
        "   function:\n"
        "     name: ping\n"
    )
