"""asst export: live objects as definitions that apply accepts, and the round trip back."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness import Recorder, Runner

SET = """\
kind: vector_store
name: docs
files: [intro.md]
expires_after: 7
metadata: {team: docs}
---
kind: assistant
name: analyst
model: gpt-4o
description: Reads the handbook
instructions: |
  You answer questions about the handbook.
  Quote the section you used.
  Say so when the handbook is silent.
tools:
  - code_interpreter
  - type: file_search
    file_search: {max_num_results: 8}
  - type: function
    command: ./lookup.sh
    function:
      name: lookup
      parameters: {type: object, properties: {term: {type: string}}}
tool_resources:
  code_interpreter:
    files: [sales.csv]
  file_search:
    vector_stores: [docs]
temperature: 0.3
response_format: json_object
metadata: {team: analysts}
"""


def write(path: str, text: str) -> None:
    Path(path).write_text(text)


def run(cli: Runner, *args: str) -> Any:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result


def methods(recorder: Recorder, start: int) -> set[str]:
    return {r.method for r in recorder.requests[start:]}


def uploaded(recorder: Recorder) -> list[str]:
    """The ids of the files uploaded, in the order of their requests."""
    return [
        json.loads(recorder.cassette.responses_of(r)[0]["body"]["string"])["id"]
        for r in recorder.requests
        if r.method == "POST" and r.path.endswith("/files")
    ]


def test_an_export_applied_to_its_backend_changes_nothing(cli: Runner, cassette: Recorder) -> None:
    write("intro.md", "# Intro\n")
    write("sales.csv", "month,total\njan,3\n")
    write("set.yaml", SET)
    store, analyst = run(cli, "apply", "-f", "set.yaml", "-o", "id").stdout.split()
    intro, sales = uploaded(cassette)
    exported = run(cli, "export").stdout
    assert exported == (
        "---\n"
        "kind: vector_store\n"
        "name: docs\n"
        "files:\n"
        f"- {intro}\n"
        "expires_after: 7\n"
        "metadata:\n"
        "  team: docs\n"
        "---\n"
        "kind: assistant\n"
        "name: analyst\n"
        "model: gpt-4o\n"
        "description: Reads the handbook\n"
        "instructions: |\n"
        "  You answer questions about the handbook.\n"
        "  Quote the section you used.\n"
        "  Say so when the handbook is silent.\n"
        "tools:\n"
        "- code_interpreter\n"
        "- type: file_search\n"
        "  file_search:\n"
        "    max_num_results: 8\n"
        "- type: function\n"
        "  function:\n"
        "    name: lookup\n"
        "    parameters:\n"
        "      type: object\n"
        "      properties:\n"
        "        term:\n"
        "          type: string\n"
        "tool_resources:\n"
        "  code_interpreter:\n"
        "    files:\n"
        f"    - {sales}\n"
        "  file_search:\n"
        "    vector_stores:\n"
        "    - docs\n"
        "temperature: 0.3\n"
        "response_format: json_object\n"
        "metadata:\n"
        "  team: analysts\n"
    )
    Path("backend").mkdir()
    write("backend/all.yaml", exported)
    count = len(uploaded(cassette)) + 4  # the apply's requests, then the export's
    again = run(cli, "apply", "-f", "backend", "-o", "text")
    assert again.stdout == (
        f"vector_store/docs unchanged ({store})\nassistant/analyst unchanged ({analyst})\n"
    )
    assert methods(cassette, count) == {"GET"}


def test_objects_asst_does_not_manage_are_adopted(cli: Runner, cassette: Recorder) -> None:
    first = run(cli, "assistants", "create", "--name", "helper", "--model", "gpt-4o", "-o", "id")
    second = run(cli, "assistants", "create", "--name", "helper", "--model", "gpt-4o", "-o", "id")
    store = run(cli, "vector-stores", "create", "-o", "id")
    a, b, s = (r.stdout.strip() for r in (first, second, store))
    nameless = run(cli, "vector-stores", "get", s, "-q", "name").stdout
    exported = run(cli, "export").stdout
    # Where the identity is not the object's own name, display_name keeps that name.
    assert exported == (
        f"---\nkind: vector_store\nname: {s}\nid: {s}\ndisplay_name: null\n"
        f"---\nkind: assistant\nname: helper\nid: {a}\nmodel: gpt-4o\n"
        f"---\nkind: assistant\nname: helper-2\nid: {b}\ndisplay_name: helper\nmodel: gpt-4o\n"
    )
    write("all.yaml", exported)
    assert run(cli, "apply", "-f", "all.yaml", "-o", "text").stdout == (
        f"vector_store/{s} adopted ({s})\n"
        f"assistant/helper adopted ({a})\n"
        f"assistant/helper-2 adopted ({b})\n"
    )
    assert run(cli, "apply", "-f", "all.yaml", "-o", "text").stdout == (
        f"vector_store/{s} unchanged ({s})\n"
        f"assistant/helper unchanged ({a})\n"
        f"assistant/helper-2 unchanged ({b})\n"
    )
    assert run(cli, "export", "assistants", b).stdout == (
        "---\nkind: assistant\nname: helper-2\ndisplay_name: helper\nmodel: gpt-4o\n"
    )
    # Adopting renamed nothing.
    names = run(cli, "assistants", "list", "-o", "json", "-q", "[].name").stdout
    assert json.loads(names) == ["helper", "helper"]
    assert run(cli, "vector-stores", "get", s, "-q", "name").stdout == nameless


def test_one_kind_and_chosen_ids(cli: Runner, cassette: Recorder) -> None:
    write("set.yaml", "kind: vector_store\nname: docs\n---\nkind: vector_store\nname: faq\n"
          "---\nkind: assistant\nname: bot\nmodel: gpt-4o\n"
          "tool_resources: {file_search: {vector_stores: [docs]}}\n")  # fmt: skip
    docs, faq, _ = run(cli, "apply", "-f", "set.yaml", "-o", "id").stdout.split()
    assert run(cli, "export", "vector-stores", faq).stdout == "---\nkind: vector_store\nname: faq\n"
    assert run(cli, "export", "assistants").stdout == (
        "---\nkind: assistant\nname: bot\nmodel: gpt-4o\n"
        f"tool_resources:\n  file_search:\n    vector_store_ids:\n    - {docs}\n"
    )
    assert run(cli, "export", "vector-stores").stdout == (
        "---\nkind: vector_store\nname: docs\n---\nkind: vector_store\nname: faq\n"
    )
    missing = cli("export", "assistants", "asst_missing")
    assert (missing.exit_code, missing.stdout) == (3, "")


def test_dir_writes_a_file_per_object_and_keeps_existing_ones(
    cli: Runner, cassette: Recorder
) -> None:
    write(
        "set.yaml",
        "kind: vector_store\nname: docs\n---\nkind: assistant\nname: My Bot/1\nmodel: gpt-4o\n",
    )
    run(cli, "apply", "-f", "set.yaml", "-o", "none")
    written = cli("export", "--dir", "defs/live")
    assert (written.exit_code, written.stdout, written.stderr) == (0, "", "Wrote 2 file(s).\n")
    assert sorted(p.name for p in Path("defs/live").iterdir()) == [
        "assistant-My-Bot-1.yaml",
        "vector-store-docs.yaml",
    ]
    bot = Path("defs/live/assistant-My-Bot-1.yaml")
    assert bot.read_text() == "---\nkind: assistant\nname: My Bot/1\nmodel: gpt-4o\n"
    bot.write_text("# edited\n")
    refused = cli("export", "--dir", "defs/live")
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert refused.stderr == (
        "Error: defs/live/vector-store-docs.yaml: already exists "
        "(pass --force to replace it, or choose a name with -O)\n"
    )
    assert bot.read_text() == "# edited\n"
    forced = cli("export", "--dir", "defs/live", "--force")
    assert forced.exit_code == 0
    assert bot.read_text().startswith("---\nkind: assistant\n")
    applied = run(cli, "apply", "-f", "defs/live", "-o", "text").stdout
    assert re.fullmatch(
        r"vector_store/docs unchanged \(vs_\w+\)\nassistant/My Bot/1 unchanged \(asst_\w+\)\n",
        applied,
    )


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["-O", "taken.yaml"],
            "Error: taken.yaml: already exists (pass --force to replace it, or choose a name with -O)\n",
        ),
        (["-O", "a.yaml", "--dir", "d"], "Error: -O and --dir both given (use one of them)\n"),
        (["--dir", "taken.yaml"], "Error: --dir taken.yaml: cannot create: File exists\n"),
        (
            ["agents"],
            "Error: Invalid value for 'KIND': Value error, 'agents' is not one of 'assistants', 'vector-stores' (see 'asst export --help')\n",
        ),
    ],
)
def test_bad_targets_exit_2_before_any_request(
    cli: Runner, unreachable: None, args: list[str], stderr: str
) -> None:
    write("taken.yaml", "mine\n")
    result = cli("export", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)
    assert Path("taken.yaml").read_text() == "mine\n"


def test_run_and_create_read_what_export_writes(cli: Runner, cassette: Recorder) -> None:
    run(cli, "assistants", "create", "--name", "helper", "--model", "gpt-4o")
    twin = run(cli, "assistants", "create", "--name", "helper", "--model", "gpt-4o", "-o", "id")
    b = twin.stdout.strip()
    write("all.yaml", run(cli, "export", "assistants").stdout)
    run(cli, "apply", "-f", "all.yaml")
    assert cli("export", "assistants", b, "-O", "b.yaml").exit_code == 0
    assert Path("b.yaml").read_text() == (
        "---\nkind: assistant\nname: helper-2\ndisplay_name: helper\nmodel: gpt-4o\n"
    )
    ran = cli("run", "-f", "b.yaml", "hi", "-o", "json")
    assert (ran.exit_code, ran.json()["assistant_id"]) == (0, b)
    again = cli("assistants", "create", "-f", "b.yaml")
    assert (again.exit_code, again.stderr) == (
        2,
        f"Error: assistant/helper-2 exists already ({b}) (bring it in line with "
        "'asst apply -f FILE', or pass --name to create another)\n",
    )
    write("pinned.yaml", "kind: assistant\nname: x\nid: asst_1\nmodel: m\n")
    pinned = cli("run", "-f", "pinned.yaml", "hi")
    assert (pinned.exit_code, pinned.stdout) == (2, "")
    assert pinned.stderr == (
        "Error: pinned.yaml:3: id: pins an existing assistant, which only 'asst apply' adopts "
        "(remove 'id:')\n"
    )
