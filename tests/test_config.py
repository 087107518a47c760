"""asst config: profiles are written safely and read back exactly."""

from __future__ import annotations

import stat
from pathlib import Path

from harness import Runner


def test_set_get_and_file_mode(cli: Runner, isolated_env: Path) -> None:
    result = cli("config", "set", "endpoint", "http://localhost:8787/v1")
    assert result.exit_code == 0
    assert result.stdout == ""
    path = isolated_env / "config.yaml"
    assert result.stderr == f"Set endpoint in profile 'default' ({path}).\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == (
        "profiles:\n  default:\n    endpoint: http://localhost:8787/v1\ncurrent_profile: default\n"
    )
    got = cli("config", "get", "endpoint")
    assert (got.exit_code, got.stdout, got.stderr) == (0, "http://localhost:8787/v1\n", "")


def test_secret_from_stdin_is_masked_unless_revealed(cli: Runner) -> None:
    assert cli("config", "set", "api-key", "-", stdin="sk-abcdefgh12345678\n").exit_code == 0
    assert cli("config", "get", "api_key").stdout == "****5678\n"
    assert cli("config", "get", "api_key", "--reveal").stdout == "sk-abcdefgh12345678\n"


def test_list_and_use(cli: Runner) -> None:
    cli("config", "set", "backend", "openai")
    cli("--profile", "work", "config", "set", "backend", "foundry")
    listed = cli("config", "list", "-o", "table")
    assert listed.stdout == (
        "PROFILE  CURRENT  BACKEND  ENDPOINT\ndefault  *        openai\nwork              foundry\n"
    )
    assert cli("config", "use", "work").stderr == "Now using profile 'work'.\n"
    assert cli("config", "list", "-o", "json").json() == [
        {"name": "default", "current": False, "settings": {"backend": "openai"}},
        {"name": "work", "current": True, "settings": {"backend": "foundry"}},
    ]


def test_unset(cli: Runner) -> None:
    cli("config", "set", "max_retries", "5")
    assert cli("config", "get", "max_retries").stdout == "5\n"
    assert cli("config", "unset", "max_retries").exit_code == 0
    missing = cli("config", "get", "max_retries")
    assert missing.exit_code == 2
    assert missing.stderr == (
        "Error: 'max_retries' is not set in profile 'default' "
        "(set it with 'asst config set max_retries VALUE')\n"
    )


def test_bad_values_exit_2_and_change_nothing(cli: Runner, isolated_env: Path) -> None:
    cases = {
        ("config", "set", "colour", "blue"): "Error: unknown setting 'colour' (settings are: "
        "backend, endpoint, api_version, api_key, token, token_command, max_retries, output, data_dir, "
        "idle_timeout, model_base_url, model_api_key, model_map)\n",
        ("config", "set", "backend", "bedrock"): "Error: unknown backend 'bedrock' "
        "(use one of: openai, azure, foundry, local)\n",
        ("config", "set", "max_retries", "many"): "Error: max_retries must be a whole number >= 0, "
        "got 'many'\n",
        ("config", "use", "nowhere"): "Error: no profile named 'nowhere' "
        "(create it with 'asst --profile nowhere config set endpoint URL')\n",
    }
    for args, stderr in cases.items():
        result = cli(*args)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", stderr)
    assert not (isolated_env / "config.yaml").exists()


def test_broken_config_file_is_never_overwritten(cli: Runner, isolated_env: Path) -> None:
    isolated_env.mkdir()
    path = isolated_env / "config.yaml"
    path.write_text("profiles: [unclosed\n")
    path.chmod(0o600)
    result = cli("config", "set", "endpoint", "http://x/v1")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}:2: invalid YAML (fix or remove the file)\n"
    assert path.read_text() == "profiles: [unclosed\n"


def test_world_readable_config_warns(cli: Runner, isolated_env: Path) -> None:
    isolated_env.mkdir()
    path = isolated_env / "config.yaml"
    path.write_text("profiles:\n  default:\n    endpoint: http://x/v1\n")
    path.chmod(0o644)
    result = cli("config", "get", "endpoint")
    assert result.exit_code == 0
    assert result.stderr == (
        f"Warning: {path} is readable by other users and may hold secrets; "
        f"fix it with 'chmod 600 {path}'\n"
    )


def test_path(cli: Runner, isolated_env: Path) -> None:
    assert cli("config", "path").stdout == f"{isolated_env / 'config.yaml'}\n"
