"""asst apply: definitions brought to the server, end to end against each dialect (replayed)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from harness import Recorder, Runner

ASST = re.compile(r"^asst_[A-Za-z0-9]{24}$")
VS = re.compile(r"^vs_[A-Za-z0-9]{24}$")

STORE = """\
kind: vector_store
name: docs
files: [docs/intro.md, docs/faq.md]
expires_after: 30
metadata: {team: docs}
"""
ASSISTANT = """\
kind: assistant
name: data-viz
model: gpt-4o
description: Draws charts
instructions: |
  You draw charts.
  Keep them simple.
tools:
  - code_interpreter
  - file_search
  - type: function
    command: ./weather.sh
    function:
      name: get_weather
      description: Weather for a city
      parameters: {type: object, properties: {city: {type: string}}, required: [city]}
  - type: function
    function: {name: ping}
tool_resources:
  code_interpreter:
    files: [data/sales.csv]
  file_search:
    vector_stores: [docs]
temperature: 0.5
metadata: {team: viz}
"""


def write(path: str, text: str) -> Path:
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text)
    return file


def short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


INTRO, FAQ, SALES = "# Intro\n", "Q?\nA.\n", "month,total\njan,3\n"
FAQ2, SALES2 = "Q?\nA, revised.\n", "month,total\njan,4\n"


def definitions() -> None:
    write("defs/docs/intro.md", INTRO)
    write("defs/docs/faq.md", FAQ)
    write("defs/data/sales.csv", SALES)
    write("defs/set.yaml", STORE + "---\n" + ASSISTANT)


# Recorder.requests holds every request of the cassette when replaying (only those sent so far
# when recording), so tests find a command's requests by their position in the whole test.
def requests(recorder: Recorder, start: int = 0, stop: int | None = None) -> list[str]:
    """``METHOD /path`` of requests ``start`` to ``stop``, without the dialect's prefix."""
    out = []
    for request in recorder.requests[start:stop]:
        path = re.sub(r"^/(v1|openai|api/projects/[^/]+)", "", request.path)
        out.append(f"{request.method} {path}")
    return out


def sent(recorder: Recorder, call: str, start: int = 0) -> list[Any]:
    """The JSON bodies of the requests ``call`` (e.g. ``POST /assistants``) from ``start`` on."""
    found = requests(recorder, start)
    return [
        json.loads(r.body or b"null")
        for r, name in zip(recorder.requests[start:], found, strict=True)
        if name == call
    ]


def apply(cli: Runner, *args: str, stdin: str = "") -> list[str]:
    result = cli("apply", *args, "-o", "text", stdin=stdin)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout.splitlines()


def ids_in(lines: list[str]) -> list[str]:
    return [line.rsplit("(", 1)[1].split(",")[0].rstrip(")") for line in lines]


def test_create_then_a_second_apply_sends_only_gets(cli: Runner, cassette: Recorder) -> None:
    definitions()
    first = apply(cli, "-f", "defs/set.yaml")
    store, assistant = ids_in(first)
    assert VS.match(store) and ASST.match(assistant)
    assert first == [
        f"vector_store/docs created ({store})",
        f"assistant/data-viz created ({assistant})",
    ]
    assert requests(cassette, 0, 7) == [
        "GET /assistants",
        "GET /vector_stores",
        "POST /files",
        "POST /files",
        "POST /vector_stores",
        "POST /files",
        "POST /assistants",
    ]
    [store_body] = sent(cassette, "POST /vector_stores")
    intro, faq = store_body["file_ids"]
    assert store_body == {
        "name": "docs",
        "expires_after": {"anchor": "last_active_at", "days": 30},
        "metadata": {
            "team": "docs",
            "asst-name": "docs",
            "asst-files": f"{intro}:{short_hash(INTRO)},{faq}:{short_hash(FAQ)}",
        },
        "file_ids": [intro, faq],
    }
    [body] = sent(cassette, "POST /assistants")
    [sales] = body["tool_resources"]["code_interpreter"]["file_ids"]
    assert body == {
        "name": "data-viz",
        "model": "gpt-4o",
        "description": "Draws charts",
        "instructions": "You draw charts.\nKeep them simple.\n",
        "tools": [
            {"type": "code_interpreter"},
            {"type": "file_search"},
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "parameters": {
                        "type": "object",
                        "properties": {"city": {"type": "string"}},
                        "required": ["city"],
                    },
                },
            },
            {
                "type": "function",
                "function": {
                    "name": "ping",
                    "description": "",
                    "parameters": {"type": "object", "properties": {}},
                },
            },
        ],
        "temperature": 0.5,
        "metadata": {
            "team": "viz",
            "asst-name": "data-viz",
            "asst-files": f"{sales}:{short_hash(SALES)}",
        },
        "tool_resources": {
            "code_interpreter": {"file_ids": [sales]},
            "file_search": {"vector_store_ids": [store]},
        },
    }
    again = cli("apply", "-f", "defs/set.yaml", "-o", "json")
    assert (again.exit_code, again.stderr) == (0, "")
    assert again.json() == [
        {"kind": "vector_store", "name": "docs", "action": "unchanged", "id": store},
        {"kind": "assistant", "name": "data-viz", "action": "unchanged", "id": assistant},
    ]
    assert requests(cassette, 7) == [
        "GET /assistants",
        "GET /vector_stores",
        f"GET /vector_stores/{store}/files",
    ]


def test_updates_send_only_what_differs(cli: Runner, cassette: Recorder) -> None:
    definitions()
    store, assistant = ids_in(apply(cli, "-f", "defs"))
    [created] = sent(cassette, "POST /assistants")
    [old_sales] = created["tool_resources"]["code_interpreter"]["file_ids"]
    intro, faq = sent(cassette, "POST /vector_stores")[0]["file_ids"]
    count = 7  # requests of the first apply
    write("defs/docs/faq.md", FAQ2)
    write("defs/data/sales.csv", SALES2)
    text = ASSISTANT.replace("Keep them simple.", "Keep them very simple.")
    write("defs/set.yaml", STORE.replace("team: docs", "team: handbook") + "---\n" + text)
    assert apply(cli, "-f", "defs") == [
        f"vector_store/docs updated ({store})",
        f"assistant/data-viz updated ({assistant})",
    ]
    assert requests(cassette, count, count + 3) == [
        "GET /assistants",
        "GET /vector_stores",
        f"GET /vector_stores/{store}/files",
    ]
    [batch] = sent(cassette, f"POST /vector_stores/{store}/file_batches", count)
    [new_faq] = batch["file_ids"]
    assert new_faq not in (intro, faq)
    assert requests(cassette, count + 3, count + 11) == [
        "POST /files",
        f"POST /vector_stores/{store}/file_batches",
        f"DELETE /vector_stores/{store}/files/{faq}",
        f"POST /vector_stores/{store}",
        f"DELETE /files/{faq}",
        "POST /files",
        f"POST /assistants/{assistant}",
        f"DELETE /files/{old_sales}",
    ]
    record = f"{intro}:{short_hash(INTRO)},{new_faq}:{short_hash(FAQ2)}"
    assert sent(cassette, f"POST /vector_stores/{store}", count) == [
        {"metadata": {"team": "handbook", "asst-name": "docs", "asst-files": record}}
    ]
    [update] = sent(cassette, f"POST /assistants/{assistant}", count)
    new_sales = update["tool_resources"]["code_interpreter"]["file_ids"][0]
    assert new_sales != old_sales
    assert update == {
        "instructions": "You draw charts.\nKeep them very simple.\n",
        "tool_resources": {
            "code_interpreter": {"file_ids": [new_sales]},
            "file_search": {"vector_store_ids": [store]},
        },
        "metadata": {
            "team": "viz",
            "asst-name": "data-viz",
            "asst-files": f"{new_sales}:{short_hash(SALES2)}",
        },
    }
    assert apply(cli, "-f", "defs") == [
        f"vector_store/docs unchanged ({store})",
        f"assistant/data-viz unchanged ({assistant})",
    ]
    assert {call.split()[0] for call in requests(cassette, count + 11)} == {"GET"}


def test_fields_left_out_are_reset_to_their_defaults(cli: Runner, cassette: Recorder) -> None:
    write("bot.yaml", "kind: assistant\nname: bot\nmodel: gpt-4o\ndescription: Old\n"
          "instructions: Be brief.\ntools: [code_interpreter]\ntemperature: 0.2\ntop_p: 0.5\n"
          "response_format: json_object\n")  # fmt: skip
    [created] = ids_in(apply(cli, "-f", "bot.yaml"))
    write("bot.yaml", "kind: assistant\nname: bot\nmodel: gpt-4o-mini\n")
    assert apply(cli, "-f", "bot.yaml") == [f"assistant/bot updated ({created})"]
    assert sent(cassette, f"POST /assistants/{created}") == [
        {
            "model": "gpt-4o-mini",
            "description": "",
            "instructions": "",
            "tools": [],
            "temperature": 1.0,
            "top_p": 1.0,
            "response_format": "auto",
        }
    ]
    assert apply(cli, "-f", "bot.yaml") == [f"assistant/bot unchanged ({created})"]
    assert requests(cassette, 4) == ["GET /assistants"]


def test_directories_recursive_and_stdin(cli: Runner, cassette: Recorder) -> None:
    write("defs/stores/docs.yaml", "kind: vector_store\nname: docs\n")
    write("defs/stores/.hidden/skip.yaml", "kind: vector_store\nname: hidden\n")
    write("defs/notes.txt", "not a definition")
    stdin = "kind: assistant\nname: helper\nmodel: gpt-4o\ntools: [file_search]\n" \
            "tool_resources: {file_search: {vector_stores: [docs]}}\n"  # fmt: skip
    lines = apply(cli, "-R", "-f", "defs", "-f", "-", stdin=stdin)
    store, assistant = ids_in(lines)
    assert lines == [
        f"vector_store/docs created ({store})",
        f"assistant/helper created ({assistant})",
    ]
    [body] = sent(cassette, "POST /assistants")
    assert body["tool_resources"] == {"file_search": {"vector_store_ids": [store]}}


def test_dry_run_sends_no_writes(cli: Runner, cassette: Recorder) -> None:
    write("a.yaml", "kind: assistant\nname: a\nmodel: gpt-4o\n")
    [a] = ids_in(apply(cli, "-f", "a.yaml"))
    write("a.yaml", "kind: assistant\nname: a\nmodel: gpt-4o\ninstructions: New.\nmetadata: {x: '1'}\n"
          "---\nkind: assistant\nname: b\nmodel: gpt-4o\n---\nkind: vector_store\nname: docs\n")  # fmt: skip
    assert apply(cli, "-f", "a.yaml", "--dry-run") == [
        "vector_store/docs created (dry run)",
        f"assistant/a updated ({a}, dry run): instructions, metadata",
        "assistant/b created (dry run)",
    ]
    result = cli("apply", "-f", "a.yaml", "--dry-run", "-o", "json")
    assert result.json() == [
        {"kind": "vector_store", "name": "docs", "action": "created", "id": None},
        {"kind": "assistant", "name": "a", "action": "updated", "id": a},
        {"kind": "assistant", "name": "b", "action": "created", "id": None},
    ]
    assert requests(cassette, 2) == ["GET /assistants", "GET /vector_stores"] * 2


def test_prune_deletes_only_managed_objects_of_the_kinds_defined(
    cli: Runner, cassette: Recorder
) -> None:
    write("defs/keep.yaml", "kind: assistant\nname: keep\nmodel: gpt-4o\n")
    write("defs/old.yaml", "kind: assistant\nname: old\nmodel: gpt-4o\n")
    write("store.yaml", "kind: vector_store\nname: docs\n")
    keep, old = ids_in(apply(cli, "-f", "defs"))
    [store] = ids_in(apply(cli, "-f", "store.yaml"))
    unmanaged = cli("assistants", "create", "--name", "manual", "--model", "gpt-4o", "-o", "id")
    Path("defs/old.yaml").unlink()
    assert apply(cli, "-f", "defs") == [f"assistant/keep unchanged ({keep})"]
    assert apply(cli, "-f", "defs", "--prune", "--dry-run") == [
        f"assistant/keep unchanged ({keep}, dry run)",
        f"assistant/old deleted ({old}, dry run)",
    ]
    assert apply(cli, "-f", "defs", "--prune") == [
        f"assistant/keep unchanged ({keep})",
        f"assistant/old deleted ({old})",
    ]
    # 3 + 2 requests made the objects, 1 the unmanaged one; then the three applies above.
    assert requests(cassette, 6, 10) == ["GET /assistants"] * 3 + [f"DELETE /assistants/{old}"]
    listed = cli("assistants", "list", "-o", "id").stdout.split()
    assert sorted(listed) == sorted([keep, unmanaged.stdout.strip()])
    assert cli("vector-stores", "list", "-o", "id").stdout == f"{store}\n"


def test_two_live_objects_with_one_identity_exit_2(cli: Runner, cassette: Recorder) -> None:
    made = [
        cli(
            "assistants",
            "create",
            "--name",
            n,
            "--model",
            "gpt-4o",
            "-m",
            "asst-name=bot",
            "-o",
            "id",
        )
        for n in ("one", "two")
    ]
    first, second = (m.stdout.strip() for m in made)
    write("bot.yaml", "kind: assistant\nname: bot\nmodel: gpt-4o\n")
    result = cli("apply", "-f", "bot.yaml", "-o", "text")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: several assistants carry asst-name=bot with different content: {first}, "
        f"{second} (keep one, e.g. the oldest: asst assistants delete {second})\n"
    )
    assert requests(cassette, 2) == ["GET /assistants"]


def _twins(cli: Runner) -> tuple[str, str]:
    """Two assistants of one definition, as a lost answer or two applies at once leave them."""
    made = [
        cli("assistants", "create", "--name", "bot", "--model", "gpt-4o", "-m", "asst-name=bot")
        for _ in range(2)
    ]
    assert [m.exit_code for m in made] == [0, 0]
    first, second = (m.json()["id"] for m in made)
    return first, second


def test_twins_asst_left_are_settled_by_apply(cli: Runner, cassette: Recorder) -> None:
    first, second = _twins(cli)
    write("bot.yaml", "kind: assistant\nname: bot\nmodel: gpt-4o\n")
    result = cli("apply", "-f", "bot.yaml", "-o", "text")
    assert (result.exit_code, result.stdout) == (0, f"assistant/bot unchanged ({first})\n")
    assert result.stderr == (
        f"Deleted {second}: a newer twin of {first} (asst-name=bot, same definition), left by a "
        "lost answer or two applies at once\n"
    )
    assert cli("assistants", "list", "-o", "id").stdout == f"{first}\n"


def test_a_dry_run_leaves_twins_alone(cli: Runner, cassette: Recorder) -> None:
    first, second = _twins(cli)
    write("bot.yaml", "kind: assistant\nname: bot\nmodel: gpt-4o\n")
    result = cli("apply", "-f", "bot.yaml", "--dry-run", "-o", "text")
    assert result.exit_code == 2
    assert result.stderr.endswith(f"(keep one, e.g. the oldest: asst assistants delete {second})\n")
    assert sorted(cli("assistants", "list", "-o", "id").stdout.split()) == sorted([first, second])


@pytest.mark.engine(fail_every_500=5)
def test_a_failure_part_way_reports_and_a_rerun_converges(
    cli: Runner, cassette: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASST_MAX_RETRIES", "0")
    write("set.yaml", "".join(f"---\nkind: assistant\nname: {n}\nmodel: gpt-4o\n" for n in "abc"))
    for _ in range(2):  # requests 1 and 2; the apply's are 3 (list), 4 (a) and 5 (b, refused)
        assert cli("assistants", "list", "-o", "none").exit_code == 0
    result = cli("apply", "-f", "set.yaml", "-o", "text")
    [a] = ids_in(result.stdout.splitlines())
    assert (result.exit_code, result.stdout) == (75, f"assistant/a created ({a})\n")
    assert result.stderr == (
        "Error: assistant/b: server answered 500: The server had an error while "
        "processing your request. Sorry about that! (try again later, or raise --max-retries; "
        "not applied: assistant/b, assistant/c; run the same apply again to finish)\n"
    )
    lines = apply(cli, "-f", "set.yaml")  # requests 6 to 8
    b, c = ids_in(lines[1:])
    assert lines == [
        f"assistant/a unchanged ({a})",
        f"assistant/b created ({b})",
        f"assistant/c created ({c})",
    ]
    assert len(cassette.requests) == 8


@pytest.mark.engine(fail_every_500=4)
def test_a_failure_part_way_still_prints_valid_json(
    cli: Runner, cassette: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASST_MAX_RETRIES", "0")
    write("set.yaml", "".join(f"---\nkind: assistant\nname: {n}\nmodel: gpt-4o\n" for n in "abc"))
    result = cli("apply", "-f", "set.yaml", "-o", "json")  # 1 list, 2 a, 3 b, 4 c (refused)
    assert result.exit_code == 75
    assert [(r["name"], r["action"]) for r in result.json()] == [("a", "created"), ("b", "created")]
    error = json.loads(result.stderr)["error"]
    assert error["message"].startswith("assistant/c: server answered 500: ")
    assert error["hint"].endswith("not applied: assistant/c; run the same apply again to finish")


@pytest.mark.engine(fail_every_500=3)
def test_a_failed_upload_hints_only_at_what_apply_has(
    cli: Runner, cassette: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASST_MAX_RETRIES", "0")
    write("docs/a.md", "a")
    write("docs/b.md", "b")
    write("set.yaml", "kind: vector_store\nname: docs\nfiles: [docs/a.md, docs/b.md]\n")
    result = cli("apply", "-f", "set.yaml", "-o", "text")
    assert (result.exit_code, result.stdout) == (75, "")
    assert result.stderr.splitlines()[-1] == (
        "Error: vector_store/docs: 1 of 2 uploads failed "
        "(not applied: vector_store/docs; run the same apply again to finish)"
    )


# -- bad definitions: exit 2 (file:line) before any request ----------------------------------


BOT = "kind: assistant\nname: bot\nmodel: m\n"
MANY = "".join(f"  k{i}: v\n" for i in range(15))


@pytest.mark.parametrize(
    ("files", "args", "stderr"),
    [
        (
            {"a.yaml": "name: x\n"},
            [],
            "a.yaml:1: no 'kind' (add kind: assistant or kind: vector_store)",
        ),
        (
            {"a.yaml": "kind: agent\nname: x\n"},
            [],
            "a.yaml:1: kind: unknown kind 'agent' (use assistant or vector_store)",
        ),
        (
            {"a.yaml": "kind: assistant\nmodel: m\n"},
            [],
            "a.yaml:1: no 'name' (add name: (the object's identity))",
        ),
        (
            {"a.yaml": "---\nkind: assistant\nname: x\n"},
            [],
            "a.yaml:2: model: an assistant needs a model",
        ),
        (
            {"a.yaml": "kind: vector_store\nname: [x]\n"},
            [],
            "a.yaml:2: name: expected a string, got a list",
        ),
        ({"a.yaml": BOT + "id: [1]\n"}, [], "a.yaml:4: id: expected a string, got a list"),
        (
            {"a.yaml": BOT + "temprature: 1\n"},
            [],
            "a.yaml:4: temprature: unknown key (allowed keys: kind, name, model, "
            "description, instructions, instructions_file, tools, tool_resources, temperature, top_p, response_format, metadata, display_name)",
        ),
        (
            {"a.yaml": BOT, "b.yaml": "x: 1\n---\n" + BOT},
            ["-f", "b.yaml"],
            "b.yaml:1: no 'kind' (add kind: assistant or kind: vector_store)",
        ),
        (
            {"a.yaml": BOT, "b.yaml": "# again\n" + BOT},
            ["-f", "b.yaml"],
            "b.yaml:3: name: assistant/bot is also defined at a.yaml:2 (each name may be defined once)",
        ),
        (
            {"a.yaml": BOT + "tool_resources:\n  file_search:\n    vector_stores: [docs]\n"},
            [],
            "a.yaml:6: tool_resources.file_search.vector_stores.0: no vector store 'docs' is defined in the files given "
            "(add its definition (kind: vector_store), or use vector_store_ids)",
        ),
        (
            {"a.yaml": BOT + "tool_resources:\n  code_interpreter:\n    files: [nope.csv]\n"},
            [],
            "a.yaml:6: tool_resources.code_interpreter.files.0: nope.csv: no such file (check the path)",
        ),
        (
            {
                "a.yaml": BOT
                + "tool_resources:\n  file_search:\n    vector_store_ids: [vs_1, vs_2]\n"
            },
            [],
            "a.yaml:5: tool_resources.file_search: at most one vector store",
        ),
        (
            {
                "a.yaml": BOT
                + "tool_resources:\n  code_interpreter:\n    file_ids: ["
                + ", ".join(f"file-{i}" for i in range(21))
                + "]\n"
            },
            [],
            "a.yaml:5: tool_resources.code_interpreter: at most 20 files",
        ),
        (
            {"a.yaml": BOT + "metadata:\n  asst-name: other\n"},
            [],
            "a.yaml:5: metadata.asst-name: keys starting with 'asst-' are asst's own",
        ),
        (
            {"a.yaml": "kind: vector_store\nname: s\nfiles: [x.md]\nmetadata:\n" + MANY},
            [],
            "a.yaml:4: metadata: 1 local files need 1 metadata keys for their content record and 0 are free "
            "(reference some files by id, or remove metadata keys)",
        ),
        (
            {"a.yaml": "kind: vector_store\nname: s\nchunking: static:10:1\n"},
            [],
            "a.yaml:3: chunking: MAX must be between 100 and 4096 tokens, got 10",
        ),
        (
            {"a.yaml": "kind: assistant\nname: [unclosed\n"},
            [],
            "a.yaml:3: invalid YAML: expected ',' or ']', but got '<stream end>' (fix the file's syntax)",
        ),
        ({"a.yaml": "- kind: assistant\n"}, [], "a.yaml:1: expected a mapping, got a list"),
        (
            {"a.yaml": "# nothing\n"},
            [],
            "the files given hold no definitions (add kind: and name: documents)",
        ),
        ({}, [], "a.yaml: no such file (check the path)"),
    ],
)
def test_bad_definitions_exit_2_before_any_request(
    cli: Runner, unreachable: None, files: dict[str, str], args: list[str], stderr: str
) -> None:
    write("x.md", "x")
    for name, text in files.items():
        write(name, text)
    for command in ("apply", "diff"):
        result = cli(command, "-f", "a.yaml", *args)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"Error: {stderr}\n")


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        ([], "no definitions given (pass -f FILE, -f DIR, or -f - to read stdin)"),
        (["-f", "-", "-f", "-"], "-f - given more than once (stdin can be read once)"),
        (["-f", "empty"], "empty: no *.yaml or *.yml files (add -R for subdirectories)"),
        (["-f", "nested"], "nested: no *.yaml or *.yml files (add -R for subdirectories)"),
        (
            ["-f", "nested", "-R"],
            "nested/deeper/a.yaml:1: no 'kind' (add kind: assistant or kind: vector_store)",
        ),
    ],
)
def test_bad_file_arguments_exit_2(
    cli: Runner, unreachable: None, args: list[str], stderr: str
) -> None:
    Path("empty").mkdir()
    write("nested/deeper/a.yaml", "name: x\n")
    result = cli("apply", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"Error: {stderr}\n")


def test_other_commands_leave_apply_only_fields_to_apply(cli: Runner, unreachable: None) -> None:
    write("data.csv", "a")
    write("bot.yaml", "model: m\ntool_resources:\n  code_interpreter:\n    files: [data.csv]\n")
    result = cli("assistants", "create", "-f", "bot.yaml")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: bot.yaml:4: tool_resources.code_interpreter.files: local files are resolved by "
        "'asst apply' only (use ids here, or 'asst apply -f')\n",
    )
