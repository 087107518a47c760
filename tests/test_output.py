"""Output choices: -o, ASST_OUTPUT and the config file, and what each format prints."""

from __future__ import annotations

import json

import pytest

from harness import Recorder, Runner

FORMATS = "table, json, yaml, tsv, jsonl, id, text, none"
PROBLEM = f"unknown format 'xml'; use one of: {FORMATS}"


@pytest.fixture
def unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    # Any request would fail with exit 75; exit 2 proves the check came first.
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-unused-0000")
    monkeypatch.setenv("ASST_MAX_RETRIES", "0")


def test_a_bad_asst_output_exits_2_before_any_request(
    cli: Runner, unreachable: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASST_OUTPUT", "xml")
    result = cli("assistants", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"Error: ASST_OUTPUT: {PROBLEM}\n",
    )


def test_config_set_refuses_what_o_refuses(cli: Runner) -> None:
    result = cli("config", "set", "output", "xml")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"Error: output: {PROBLEM}\n",
    )


def test_a_bad_output_in_the_config_file_exits_2_before_any_request(
    cli: Runner, unreachable: None, isolated_env: object
) -> None:
    from pathlib import Path

    config = Path(str(isolated_env))
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.yaml").write_text("profiles:\n  default:\n    output: xml\n")
    (config / "config.yaml").chmod(0o600)
    result = cli("assistants", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        f"Error: output in profile 'default': {PROBLEM} (fix it with 'asst config set')\n",
    )


def test_the_profile_output_comes_after_o_and_asst_output(
    cli: Runner, cassette: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("config", "set", "output", "id").exit_code == 0
    created = cli("assistants", "create", "--model", "gpt-4o", "--name", "bot")
    assistant_id = created.stdout.strip()
    assert (created.exit_code, created.stderr, assistant_id.startswith("asst_")) == (0, "", True)
    as_yaml = cli("assistants", "get", assistant_id, "-q", "name", "-o", "yaml")
    assert (as_yaml.exit_code, as_yaml.stdout) == (0, "bot\n...\n")
    monkeypatch.setenv("ASST_OUTPUT", "json")
    as_json = cli("assistants", "get", assistant_id, "-q", "[id, name]")
    assert (as_json.exit_code, json.loads(as_json.stdout)) == (0, [assistant_id, "bot"])


@pytest.mark.parametrize("fmt", ["tsv", "text"])
def test_rows_and_strings_print_plain(cli: Runner, cassette: Recorder, fmt: str) -> None:
    for name in ("a", "b"):
        created = cli("assistants", "create", "--model", "gpt-4o", "--name", name, "-o", "id")
        assert (created.exit_code, created.stderr) == (0, "")
    rows = cli("assistants", "list", "--order", "asc", "-q", "[].[name, model]", "-o", fmt)
    assert (rows.exit_code, rows.stdout, rows.stderr) == (0, "a\tgpt-4o\nb\tgpt-4o\n", "")
    names = cli("assistants", "list", "--order", "asc", "-q", "[].name", "-o", fmt)
    assert (names.exit_code, names.stdout) == (0, "a\nb\n")
    first = cli("assistants", "list", "--order", "asc", "-q", "[0].name", "-o", fmt)
    assert (first.exit_code, first.stdout) == (0, "a\n")
