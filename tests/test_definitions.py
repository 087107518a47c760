"""Definition files and flags are validated before any request (exit 2, file:line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import Runner

ALLOWED = (
    "kind, name, model, description, instructions, instructions_file, tools, tool_resources, "
    "temperature, top_p, response_format, metadata, display_name"
)


# Every test here checks what is refused before a request (see the unreachable fixture).
pytestmark = pytest.mark.usefixtures("unreachable")


def create(cli: Runner, text: str, *flags: str) -> tuple[int, str, str]:
    Path("def.yaml").write_text(text)
    result = cli("assistants", "create", "-f", "def.yaml", *flags)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("text", "stderr"),
    [
        (
            "name: x\nmodle: gpt-4o\n",
            f"Error: def.yaml:2: modle: unknown key (allowed keys: {ALLOWED})\n",
        ),
        (
            "model: m\ntemperature: hot\n",
            "Error: def.yaml:2: temperature: expected a number, got a string\n",
        ),
        ("model: m\ntop_p: 1.5\n", "Error: def.yaml:2: top_p: must be between 0 and 1, got 1.5\n"),
        ("model: m\nname: [a]\n", "Error: def.yaml:2: name: expected a string, got a list\n"),
        (
            "model: m\ntools:\n  - code_interpreter\n  - type: browser\n",
            "Error: def.yaml:4: tools.1.type: unknown tool type 'browser' "
            "(use one of: code_interpreter, file_search, function)\n",
        ),
        (
            "model: m\ntools:\n  - type: function\n    function:\n      name: bad name\n",
            "Error: def.yaml:5: tools.0.function.name: use 1-64 letters, digits, '_' or '-'\n",
        ),
        (
            "model: m\nmetadata:\n" + "".join(f"  k{i}: v\n" for i in range(17)),
            "Error: def.yaml:2: metadata: at most 16 keys are allowed, got 17\n",
        ),
        (
            "model: m\nmetadata:\n  team: " + "x" * 513 + "\n",
            "Error: def.yaml:3: metadata.team: value of 'team' is longer than 512 characters\n",
        ),
        ("model: m\nmodel: n\n", "Error: def.yaml:2: model: duplicate key (keep one of them)\n"),
        (
            "model: [unclosed\n",
            "Error: def.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>' (fix the file's syntax)\n",
        ),
        ("", "Error: def.yaml: the file is empty\n"),
        (
            "model: a\n---\nmodel: b\n",
            "Error: def.yaml:3: expected one document, found 2 (split the file, or use 'asst apply' for several)\n",
        ),
        ("- model: a\n", "Error: def.yaml:1: expected a mapping, got a list\n"),
        (
            "model: m\ninstructions_file: missing.md\n",
            "Error: def.yaml:2: instructions_file: {base}/missing.md: no such file\n",
        ),
        (
            "kind: vector_store\nmodel: m\n",
            "Error: def.yaml:1: kind: expected kind 'assistant', got 'vector_store'\n",
        ),
    ],
)
def test_invalid_definition(cli: Runner, tmp_path: Path, text: str, stderr: str) -> None:
    assert create(cli, text) == (2, "", stderr.format(base=tmp_path))


def test_missing_file(cli: Runner) -> None:
    result = cli("assistants", "create", "-f", "nowhere.yaml")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: nowhere.yaml: no such file (check the path)\n",
    )


def test_binary_garbage(cli: Runner) -> None:
    Path("def.yaml").write_bytes(b"\x00\xff\xfe garbage")
    result = cli("assistants", "create", "-f", "def.yaml")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: def.yaml: not a UTF-8 text file (pass a YAML file)\n",
    )


@pytest.mark.parametrize(
    ("flags", "stderr"),
    [
        ((), "Error: a model is required (pass --model NAME or set 'model:' in the file)\n"),
        (
            ("--model", "m", "--instructions", "a", "--instructions-file", "b.md"),
            "Error: --instructions and --instructions-file both given (use one of them)\n",
        ),
        (
            ("--model", "m", "--tool", "browser"),
            "Error: --tool: unknown tool 'browser' (use code_interpreter or file_search; "
            "add functions with --function FILE.json)\n",
        ),
        (
            ("--model", "m", "--metadata", "novalue"),
            "Error: --metadata expects KEY=VALUE, got 'novalue' (e.g. --metadata team=docs)\n",
        ),
        (
            ("--model", "m", "--function", "f.json"),
            "Error: --function f.json: no such file (check the path)\n",
        ),
        (
            ("--model", "m", "--response-format", "xml"),
            "Error: --response-format xml: no such file (check the path)\n",
        ),
        (
            ("--model", "m", "--temperature", "3"),
            "Error: Invalid value for '--temperature': Input should be less than or equal to 2 "
            "(see 'asst assistants create --help')\n",
        ),
    ],
)
def test_invalid_flags(cli: Runner, flags: tuple[str, ...], stderr: str) -> None:
    result = cli("assistants", "create", *flags)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)


def test_update_needs_something_to_change(cli: Runner) -> None:
    result = cli("assistants", "update", "asst_1")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: nothing to update (pass at least one flag or -f FILE)\n",
    )


def test_function_file_must_be_a_function(cli: Runner) -> None:
    Path("f.json").write_text('{"description": "no name"}')
    result = cli("assistants", "create", "--model", "m", "--function", "f.json")
    assert (result.exit_code, result.stderr) == (2, "Error: f.json: a function needs a name\n")


def test_stdin_definition_errors_name_stdin(cli: Runner) -> None:
    result = cli("assistants", "create", "-f", "-", stdin="model: m\nbogus: 1\n")
    assert result.exit_code == 2
    assert result.stderr == f"Error: <stdin>:2: bogus: unknown key (allowed keys: {ALLOWED})\n"


def test_a_yaml_alias_bomb_is_refused_at_once(cli: Runner) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    Path("bomb.yaml").write_text("\n".join(lines) + "\nname: *a9\n")
    result = cli("assistants", "create", "-f", "bomb.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: bomb.yaml: more than 100,000 values (YAML aliases that expand without end?) "
        "(write the values out instead of repeating aliases)\n"
    )
