"""Backend and credential resolution, observed through `asst auth status`."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import Runner


def status(cli: Runner, *args: str) -> dict[str, object]:
    result = cli(*args, "auth", "status", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    found: dict[str, object] = result.json()
    return found


def test_openai_from_sdk_variables(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-1234")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://compatible.example/v1")
    assert status(cli) == {
        "backend": "openai",
        "endpoint": "http://compatible.example/v1",
        "api_version": None,
        "auth": "bearer api key",
        "credential": "****1234",
        "profile": "default",
        "sources": {
            "backend": "inferred from the openai SDK variables",
            "endpoint": "environment (openai SDK variables)",
            "api_key": "environment (openai SDK variables)",
        },
    }


def test_openai_key_alone_means_the_local_engine_with_openai_as_its_model(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-1234")
    data_dir = tmp_path / "xdg-data" / "asst"
    assert status(cli) == {
        "backend": "local",
        "endpoint": None,
        "api_version": None,
        "auth": "bearer api key (generated, in the data dir)",
        "credential": str(data_dir / "local.key"),
        "profile": "default",
        "sources": {
            "backend": "default (OPENAI_API_KEY without OPENAI_BASE_URL)",
            "data_dir": "default",
            "model_base_url": "default (OPENAI_API_KEY)",
            "model_api_key": "default (OPENAI_API_KEY)",
        },
        "data_dir": str(data_dir),
        "server": "not running",
        "model": "https://api.openai.com/v1",
        "idle_timeout": 900,
    }


def test_openai_key_with_backend_openai_goes_to_api_openai_com(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-1234")
    found = status(cli, "--backend", "openai")
    assert (found["endpoint"], found["credential"]) == ("https://api.openai.com/v1", "****1234")


def test_azure_from_sdk_variables(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com/")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-secret-5678")
    found = status(cli)
    assert (found["backend"], found["endpoint"], found["api_version"], found["auth"]) == (
        "azure",
        "https://res.openai.azure.com",
        "2024-05-01-preview",
        "api-key header",
    )
    assert found["credential"] == "****5678"


def test_foundry_inferred_from_endpoint_with_token_command(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASST_ENDPOINT", "https://res.services.ai.azure.com/api/projects/p1")
    monkeypatch.setenv("ASST_TOKEN_COMMAND", "az account get-access-token --query accessToken")
    found = status(cli)
    assert (found["backend"], found["api_version"], found["auth"], found["credential"]) == (
        "foundry",
        "v1",
        "bearer token (token command)",
        "az …",
    )


def test_flag_beats_environment(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASST_ENDPOINT", "http://env.example/v1")
    monkeypatch.setenv("ASST_API_KEY", "sk-from-asst-env-0000")
    found = status(cli, "--endpoint", "http://flag.example/v1", "--api-version", "x")
    assert found["endpoint"] == "http://flag.example/v1"
    assert found["api_version"] == "x"
    assert found["sources"] == {
        "backend": "inferred from the endpoint (command line)",
        "endpoint": "command line",
        "api_version": "command line",
        "api_key": "environment (ASST_*)",
    }


def test_asst_environment_beats_sdk_variables(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://sdk.example/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-sdk-key-aaaa")
    monkeypatch.setenv("ASST_API_KEY", "sk-asst-key-bbbb")
    assert status(cli)["credential"] == "****bbbb"


def test_sdk_variables_beat_current_profile(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("config", "set", "endpoint", "http://profile.example/v1").exit_code == 0
    monkeypatch.setenv("OPENAI_BASE_URL", "http://sdk.example/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-sdk-key-cccc")
    assert status(cli)["endpoint"] == "http://sdk.example/v1"


def test_named_profile_beats_sdk_variables(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("--profile", "work", "config", "set", "backend", "foundry").exit_code == 0
    assert (
        cli("--profile", "work", "config", "set", "endpoint", "https://r/api/projects/p").exit_code
        == 0
    )
    assert (
        cli("--profile", "work", "config", "set", "token", "-", stdin="tok-12345678\n").exit_code
        == 0
    )
    monkeypatch.setenv("OPENAI_API_KEY", "sk-sdk-key-dddd")
    found = status(cli, "--profile", "work")
    assert (found["backend"], found["endpoint"], found["credential"]) == (
        "foundry",
        "https://r/api/projects/p",
        "****5678",
    )


def test_ambiguous_sdk_variables_are_an_error(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x-0000")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com")
    result = cli("auth", "status")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: ambiguous backend: the openai and azure SDK variables are both set "
        "(OPENAI_API_KEY, AZURE_OPENAI_ENDPOINT) (choose one with --backend or ASST_BACKEND)\n"
    )


def test_explicit_backend_resolves_ambiguity(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x-0000")
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://res.openai.azure.com")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "azure-key-9999")
    assert status(cli, "--backend", "azure")["credential"] == "****9999"


def test_a_backend_without_endpoint_exits_4_and_names_the_fix(cli: Runner) -> None:
    result = cli("--backend", "azure", "auth", "status")
    assert result.exit_code == 4
    assert result.stderr == (
        "Error: no endpoint is configured for backend azure (set ASST_ENDPOINT (or "
        "AZURE_OPENAI_ENDPOINT, AZURE_AI_PROJECT_ENDPOINT), or run 'asst config set endpoint URL')\n"
    )


def test_missing_openai_key_exits_4_on_first_request(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASST_ENDPOINT", "http://127.0.0.1:9/v1")
    result = cli("assistants", "list")
    assert result.exit_code == 4
    assert result.stderr == (
        "Error: no API key for backend openai (set OPENAI_API_KEY or ASST_API_KEY, "
        "or run 'asst config set api_key KEY')\n"
    )


def test_unknown_backend_in_environment(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASST_BACKEND", "bedrock")
    result = cli("auth", "status")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: unknown backend 'bedrock' (from environment (ASST_*)) "
        "(use one of: openai, azure, foundry, local)\n"
    )


def test_failing_token_command_exits_4(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = tmp_path / "token.sh"
    script.write_text("#!/bin/sh\necho 'not logged in' >&2\nexit 3\n")
    script.chmod(0o755)
    monkeypatch.setenv("ASST_ENDPOINT", "http://127.0.0.1:9/api/projects/p")
    monkeypatch.setenv("ASST_TOKEN_COMMAND", str(script))
    result = cli("assistants", "list")
    assert result.exit_code == 4
    assert result.stderr == (
        "Error: token command exited 3: not logged in "
        "(check ASST_TOKEN_COMMAND or the profile's token_command)\n"
    )


def test_secrets_never_printed_in_table(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret-key-4321")
    result = cli("--backend", "openai", "auth", "status", "-o", "table")
    assert result.exit_code == 0
    assert "sk-very-secret" not in result.stdout
    assert result.stdout == (
        "backend      openai\n"
        "endpoint     https://api.openai.com/v1\n"
        "api-version\n"
        "auth         bearer api key\n"
        "credential   ****4321\n"
        "profile      default\n"
    )


def test_failed_check_still_prints_what_was_resolved(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, unreachable: None
) -> None:
    result = cli("auth", "status", "--check", "-o", "table")
    assert result.exit_code == 75
    assert result.stdout == (
        "backend      openai\n"
        "endpoint     http://127.0.0.1:9/v1\n"
        "api-version\n"
        "auth         bearer api key\n"
        "credential   ****0000\n"
        "profile      default\n"
        "check        failed: could not reach the server: [Errno 111] Connection refused\n"
    )
    assert result.stderr == (
        "Error: could not reach the server: [Errno 111] Connection refused "
        "(check the endpoint with 'asst auth status')\n"
    )


FIX = " (give a URL such as https://HOST/v1)\n"


@pytest.mark.parametrize(
    ("endpoint", "stderr"),
    [
        ("\r", "Error: the endpoint (from command line) contains the character '\\r'"),
        ("http://a b/v1", "Error: the endpoint (from command line) contains a space"),
        (
            "http://h/v1\u202e",
            "Error: the endpoint (from command line) contains the character RIGHT-TO-LEFT OVERRIDE",
        ),
        (
            "localhost:8787/v1",
            "Error: the endpoint 'localhost:8787/v1' (from command line) has no scheme",
        ),
        (
            "ftp://h/v1",
            "Error: the endpoint 'ftp://h/v1' (from command line) has the scheme 'ftp', "
            "not http or https",
        ),
        ("http:///v1", "Error: the endpoint 'http:///v1' (from command line) has no host"),
        (
            "http://[::1/v1",
            "Error: the endpoint 'http://[::1/v1' (from command line) is not a URL "
            "(Invalid IPv6 URL)",
        ),
        (
            "x" * 100,
            f"Error: the endpoint '{'x' * 57}...' (from command line) has no scheme",
        ),
        (
            "http://a..b/v1",
            "Error: the endpoint 'http://a..b/v1' (from command line) has a host name with an "
            "empty label or one over 63 characters",
        ),
        (
            f"http://{'a' * 64}.com/v1",
            f"Error: the endpoint 'http://{'a' * 50}...' (from command line) has a host name "
            "with an empty label or one over 63 characters",
        ),
    ],
    ids=[
        "control",
        "space",
        "bidi",
        "no-scheme",
        "scheme",
        "no-host",
        "not-a-url",
        "long",
        "empty-label",
        "long-label",
    ],
)
def test_malformed_endpoint_is_a_usage_error(cli: Runner, endpoint: str, stderr: str) -> None:
    result = cli("--endpoint", endpoint, "--api-version", "x", "auth", "status")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr + FIX)


def test_malformed_endpoint_names_its_source(cli: Runner) -> None:
    assert cli("config", "set", "endpoint", "https//r.openai.azure.com").exit_code == 0
    result = cli("assistants", "list")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "Error: the endpoint 'https//r.openai.azure.com' (from profile 'default') has no scheme"
        + FIX,
    )


def test_malformed_endpoint_stops_a_delete_before_the_first_id(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-x-0000")
    monkeypatch.setenv("ASST_ENDPOINT", "\r")
    result = cli("threads", "delete", "-", stdin="thread_a\nthread_b\n")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "Error: the endpoint (from environment (ASST_*)) contains the character '\\r'" + FIX,
    )
